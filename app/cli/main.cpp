#include <QCoreApplication>

#include <cstdio>

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    std::fputs("flowlens-cli: under construction\n", stderr);
    return 1;
}
