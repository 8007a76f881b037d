#ifndef JD_MANAGED_H
#define JD_MANAGED_H
#include <stddef.h>

#include <jansson.h>

#include "error.h"

/*
 * AWS managed job templates (aws-iot-jobs.md §4.2, §5.3), from the data in
 * schemas/managed/ (embedded): names, versions, documents and the
 * documentParameters each template declares.
 */

/*
 * Parses a job template ARN, arn:PARTITION:iot:REGION:ACCOUNT:jobtemplate/ID,
 * a managed one having an empty ACCOUNT and ID NAME:VERSION. Fills name,
 * version ("" when not given) and region (each at most size bytes with the
 * NUL). Returns 1 for a managed-template ARN, 0 for a custom one, -1 when arn
 * is not a job template ARN at all.
 */
int jd_managed_arn(const char *arn, char *name, char *version, char *region, size_t size);

/*
 * The template NAME at VERSION ("" = the latest known), as an object
 * {"document": FILE, "documentParameters": [{key, description, regex,
 * example, optional}]} borrowed from the embedded data (valid for the life of
 * the process). An unknown name or version is JD_EINVALID naming the closest
 * known template, or the known versions.
 */
const json_t *jd_managed_find(const char *name, const char *version, struct jd_error *err);

/* The template's job document text (NUL-terminated, borrowed), or NULL. */
const char *jd_managed_document(const json_t *tpl, size_t *len);

/* The parameter declaration for key in tpl, or NULL. */
const json_t *jd_managed_param(const json_t *tpl, const char *key);

#endif
