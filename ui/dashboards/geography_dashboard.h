#pragma once

#include "ui/dashboards/dashboard.h"

namespace flowlens::ui {

/// Geography: sources and destinations by country and city. GeoIP lookups are not part of this
/// build yet; the page says so and how it will work, and exports render that page (no fake map).
class GeographyDashboard : public Dashboard
{
    Q_OBJECT

public:
    explicit GeographyDashboard(QWidget* parent = nullptr);
    QString notice() const;
};

} // namespace flowlens::ui
