#include "commands.h"
namespace flowlens::cli {
int runGen(const QStringList&)
{
    return 1;
}
} // namespace flowlens::cli
