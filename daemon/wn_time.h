/*
 * wn_time.h: times as Unix seconds UTC: parsing the forms feeds and pages
 * use (RFC 822/2822, RFC 3339/ISO 8601 and common broken variants) and
 * formatting RFC 3339.  Pure functions, safe on any thread, no locale.
 */
#ifndef WN_TIME_H
#define WN_TIME_H

#include <stddef.h>
#include <stdint.h>

#include <winnow/host.h> /* WN_TIME_NONE */

#define WN_TIME_BUFSZ 32 /* "2021-02-24T12:27:00Z" and its terminator */

/*
 * Parses `s`; on success stores Unix seconds UTC in *out and returns 0, else
 * WN_EPARSE.  A time without a zone is taken as UTC.  Two-digit years map to
 * 1950..2049; day names are ignored (feeds get them wrong).
 */
int wn_time_parse(const char *s, int64_t *out);

/*
 * As wn_time_parse(), but a time that names no zone (no offset, no Z, no
 * zone name) is taken as local time at UTC+zone_minutes.
 */
int wn_time_parse_zone(const char *s, int zone_minutes, int64_t *out);

/*
 * A zone as configured: "+02:00", "-0500", "UTC", "EST", "GMT+1".  Stores
 * its offset east of UTC in *minutes; WN_EINVAL when s is none of these.
 */
int wn_time_parse_offset(const char *s, int *minutes);

/* Writes t as "YYYY-MM-DDTHH:MM:SSZ"; returns the length (0 for
 * WN_TIME_NONE, which writes ""). */
size_t wn_time_format(int64_t t, char buf[WN_TIME_BUFSZ]);

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar. */
int64_t wn_time_days_from_civil(int64_t y, unsigned m, unsigned d);

/* The current time, Unix seconds. */
int64_t wn_time_now(void);

#endif /* WN_TIME_H */
