/*
 * load-dump FILE: loads FILE with the library's loader and prints, per
 * document, the compact JSON and then the source map, one entry a line:
 *   POINTER LINE:COL [key KLINE:KCOL]
 * On error prints the error line on stderr and exits with its code.
 */
#include <stdio.h>
#include <stdlib.h>

#include "json.h"
#include "load.h"

int main(int argc, char **argv)
{
	struct jd_error err;
	struct jd_doc *docs;
	size_t n, i, j;
	char line[1200];

	if (argc != 2) {
		fprintf(stderr, "usage: load-dump FILE\n");
		return 2;
	}
	jd_error_clear(&err);
	if (jd_load_file(argv[1], NULL, &docs, &n, &err) < 0) {
		fprintf(stderr, "load-dump: %s\n", jd_error_format(&err, line, sizeof(line)));
		return err.code;
	}
	for (i = 0; i < n; i++) {
		char *s = jd_json_dumps(docs[i].root, &err);
		printf("--- %zu%s\n%s\n", i, docs[i].json ? " json" : "", s ? s : "?");
		free(s);
		for (j = 0; j < jd_srcmap_count(docs[i].map); j++) {
			struct jd_pos pos;
			const char *p = jd_srcmap_entry(docs[i].map, j, NULL, &pos);
			printf("%s %u:%u", p[0] ? p : "\"\"", pos.line, pos.col);
			if (pos.kline)
				printf(" key %u:%u", pos.kline, pos.kcol);
			printf("\n");
		}
	}
	jd_docs_free(docs, n);
	return 0;
}
