#!/bin/sh
# make_man_page.sh PROGRAM OUTPUT.1.gz VERSION "one-line description" [COMMAND...]
# Writes a gzipped man page for PROGRAM from its --help (help2man). Each COMMAND's own
# `PROGRAM COMMAND --help` goes into a section "COMMANDS", so the page documents every option.
# VERSION is given rather than read from --version, whose build and library lines do not belong
# in a reproducible page.
set -eu
program=$1
output=$2
version=$3
description=$4
shift 4

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
include="$work/include.h2m"
: >"$include"
if [ $# -gt 0 ]; then
    printf '[COMMANDS]\n' >>"$include"
    for command in "$@"; do
        printf '.SS %s\n.nf\n' "$command" >>"$include"
        # roff: backslash is the escape character, "-" should be a real minus in options, and a
        # line must not start with "." or "'".
        "$program" "$command" --help | sed -e 's/\\/\\e/g' -e 's/-/\\-/g' -e "s/^\\([.']\\)/\\\\\\&\\1/" >>"$include"
        printf '.fi\n' >>"$include"
    done
fi
printf '[SEE ALSO]\n.BR flowlens (1),\n.BR flowlens\\-cli (1),\n.BR nfdump (1)\n' >>"$include"

# Both programs run without a display (the GUI's --help and --version choose the offscreen platform).
QT_QPA_PLATFORM=offscreen help2man --no-info --section=1 \
    --name="$description" --version-string="$version" --include="$include" \
    --output="$work/page.1" "$program"
gzip -9n <"$work/page.1" >"$output"
