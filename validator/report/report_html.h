/*
 * report_html - the --report page: one self-contained HTML file (inline
 * CSS and SVG; no script, no web font, nothing fetched) that a marketer
 * can open or forward: the list's health at a glance (share deliverable /
 * to remove / to review), charts of status and sub-status, the top
 * domains with their outcomes, the DNS and SMTP figures, sender-side
 * problems with the fix for each, and what to do next. Counts only: no
 * addresses. Every text from the input or a server is HTML-escaped.
 */
#ifndef LISTSCRUB_REPORT_HTML_H
#define LISTSCRUB_REPORT_HTML_H

#include <stdio.h>

#include "report/report.h"

/* report_html - write the page for r to f (the caller owns f). */
void report_html(const struct report *r, FILE *f);

#endif
