// Date.parse takes any day up to 31 (2026-02-30 reads as 2026-03-02): dates typed by people are
// checked against the calendar first.

/** Whether `day` exists in `month` (1-12) of `year` (proleptic Gregorian, as Date uses). */
export function isCalendarDate(year: number, month: number, day: number): boolean {
  return month >= 1 && month <= 12 && day >= 1 && day <= daysIn(year, month);
}

function daysIn(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}
