/*
 * xlsx_csv - test driver (not a test): a CSV file (comma, header first)
 * into a workbook through csvread and xlsxbook, for tests/e2e/t_xlsx_lo.sh.
 * The column named "sheet" routes each row: cleaned (action keep),
 * rejected (remove), review (review), retry (Review, retry_later);
 * anything else goes to Cleaned. It is the status column (coloured).
 *
 *   xlsx_csv [-m MAX_ROWS] [-r] IN.csv OUT.xlsx
 *
 * -m lowers the rows per sheet (xlsxbook_opts.max_rows, test only); -r
 * adds the Review sheet. Prints "changed N cut N" on success; exit 0,
 * or 1 with the diag on standard error.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "csv/csvread.h"
#include "sheet/xlsxbook.h"

int
main(int argc, char **argv)
{
	struct csvread_opts ro = { .delim = ',' };
	struct xlsxbook_opts o = { 0 };
	struct xlsxbook *wb = NULL;
	struct csvread *r = NULL;
	struct diag d = { 0 };
	struct csvrow row;
	size_t route = SIZE_MAX;
	FILE *in;
	int c, rc;

	while ((c = getopt(argc, argv, "m:r")) != -1) {
		if (c == 'm')
			o.max_rows = (uint32_t)strtoul(optarg, NULL, 10);
		else if (c == 'r')
			o.review = true;
		else
			return 2;
	}
	if (argc - optind != 2) {
		fprintf(stderr, "usage: xlsx_csv [-m MAX_ROWS] [-r] IN OUT\n");
		return 2;
	}
	o.path = argv[optind + 1];
	if ((in = fopen(argv[optind], "rb")) == NULL) {
		perror(argv[optind]);
		return 1;
	}
	if ((r = csvread_open(in, argv[optind], &ro, &d)) == NULL ||
	    (wb = xlsxbook_new(&o, &d)) == NULL)
		goto fail;
	while ((rc = csvread_next(r, &row, &d)) == 1) {
		enum xlsxbook_sheet s = XLSXBOOK_CLEANED;
		enum verdict_action a = ACTION_KEEP;
		const char *v = "";

		if (route == SIZE_MAX) {
			for (size_t i = 0; i < row.nfields; i++)
				if (strcmp(row.field[i], "sheet") == 0)
					route = i;
			if (xlsxbook_header(wb, row.field, row.field_len,
			    row.nfields, route, &d) != 0)
				goto fail;
			if (route == SIZE_MAX)
				route = SIZE_MAX - 1;
			continue;
		}
		if (route < row.nfields)
			v = row.field[route];
		if (strcmp(v, "rejected") == 0) {
			s = XLSXBOOK_REJECTED;
			a = ACTION_REMOVE;
		} else if (strcmp(v, "review") == 0) {
			s = XLSXBOOK_REVIEW;
			a = ACTION_REVIEW;
		} else if (strcmp(v, "retry") == 0) {
			s = XLSXBOOK_REVIEW;
			a = ACTION_RETRY_LATER;
		}
		if (xlsxbook_row(wb, s, row.field, row.field_len, row.nfields,
		    a, row.line, &d) != 0)
			goto fail;
	}
	if (rc < 0)
		goto fail;
	printf("changed %llu cut %llu\n",
	    (unsigned long long)xlsxbook_changed_cells(wb, NULL),
	    (unsigned long long)xlsxbook_cut_cells(wb, NULL));
	csvread_close(r);
	fclose(in);
	if (xlsxbook_finish(wb, NULL, &d) != 0) {
		fprintf(stderr, "xlsx_csv: %s\n", d.msg);
		return 1;
	}
	return 0;
fail:
	fprintf(stderr, "xlsx_csv: %s\n", d.msg);
	xlsxbook_abort(wb);
	csvread_close(r);
	fclose(in);
	return 1;
}
