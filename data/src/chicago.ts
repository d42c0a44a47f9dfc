/** Reading the City of Chicago "Crimes - 2001 to present" export: one place for its date and coordinates. */

/** The export's local time, `MM/DD/YYYY hh:mm:ss AM|PM`. */
const DATE = /^(\d{2})\/(\d{2})\/(\d{4}) (\d{2}):(\d{2}):(\d{2}) (AM|PM)$/;

/** Wall-clock fields of the export's date, or undefined when it does not parse. */
export function chicagoWallTime(
  text: string,
): { year: number; month: number; day: number; hour: number; minute: number; second: number } | undefined {
  const match = DATE.exec(text.trim());
  if (match === null) return undefined;
  const [month, day, year, hour12, minute, second] = match.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  return { year, month, day, hour: (hour12 % 12) + (match[7] === 'PM' ? 12 : 0), minute, second };
}

/** The row's coordinates, or undefined when either is blank or not a number (~1% of rows). */
export function chicagoLocation(latitude = '', longitude = ''): { lat: number; lon: number } | undefined {
  const lat = Number(latitude);
  const lon = Number(longitude);
  return latitude.trim() !== '' && longitude.trim() !== '' && Number.isFinite(lat) && Number.isFinite(lon)
    ? { lat, lon }
    : undefined;
}
