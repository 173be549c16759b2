#pragma once

#include <QStringList>

namespace flowlens::cli {

int runCollect(const QStringList& args);
int runImport(const QStringList& args);
int runTop(const QStringList& args);
int runFlows(const QStringList& args);
int runGen(const QStringList& args);
int runExporters(const QStringList& args);
int runAlert(const QStringList& args);

} // namespace flowlens::cli
