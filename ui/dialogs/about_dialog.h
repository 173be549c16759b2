#pragma once

#include <QDialog>
#include <QList>
#include <QString>
#include <QStringList>

namespace flowlens::ui {

/// Third-party data whose licence asks to be credited where the app shows its credits.
struct DataAttribution
{
    QString what; ///< what FlowLens uses it for, e.g. "World map"
    QString text; ///< the credit line the licence asks for
    QString url;
};

/// The credits for the data this run uses. `geoDatabaseTypes` are the `database_type` metadata of
/// the GeoIP databases in use (e.g. "DBIP-City-Lite", "GeoLite2-ASN"; empty without GeoIP): DB-IP's
/// CC BY 4.0 licence asks for "IP Geolocation by DB-IP", MaxMind's GeoLite2 licence for its own line.
QList<DataAttribution> dataAttributions(const QStringList& geoDatabaseTypes);

/// Help > About: version, build, the run-time versions of the libraries, data credits, and a
/// button that copies all of it as plain text for a bug report.
class AboutDialog : public QDialog
{
    Q_OBJECT

public:
    explicit AboutDialog(const QStringList& geoDatabaseTypes, QWidget* parent = nullptr);

    /// Plain text of everything the dialog shows (what "Copy" puts on the clipboard).
    QString reportText() const { return m_report; }

private:
    QString m_report;
};

} // namespace flowlens::ui
