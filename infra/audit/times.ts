/**
 * The times an auditor may give (`weft audit --since`, `?since=`): ISO 8601 dates and date-times,
 * read as UTC when they name no zone, as Nova reads `changes-since`. Anything else is refused
 * rather than guessed at.
 */

const isoTime = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

/** Epoch milliseconds of an ISO 8601 time, or undefined when `text` is not one. */
export const parseAuditTime = (text: string): number | undefined => {
  const match = isoTime.exec(text.trim());
  if (match === null) return undefined;
  const [, year, month, day, hour, minute, second, zone] = match;
  if (Number(month) < 1 || Number(month) > 12 || Number(day) < 1 || Number(day) > 31 || Number(hour ?? 0) > 23 || Number(minute ?? 0) > 59 || Number(second ?? 0) > 59) {
    return undefined;
  }
  // Date.parse rolls 2030-02-30 over to 2 March; the Gregorian calendar repeats every 400 years.
  if (Number(day) > new Date(Date.UTC(2000 + (Number(year) % 400), Number(month), 0)).getUTCDate()) return undefined;
  const normalised = hour === undefined ? `${year}-${month}-${day}T00:00:00Z` : `${text.trim().replace(" ", "T")}${zone === undefined ? "Z" : ""}`;
  const time = Date.parse(normalised);
  return Number.isNaN(time) ? undefined : time;
};
