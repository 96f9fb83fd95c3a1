// Reads an iCalendar feed on stdin and prints, as JSON, the [start, end] (ISO, UTC) of every
// occurrence of its recurring events ("series-" UIDs), expanded by ical.js with its
// overrides (RECURRENCE-ID) and exclusions (EXDATE) applied.
import ICAL from "ical.js";

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const calendar = new ICAL.Component(ICAL.parse(Buffer.concat(chunks).toString("utf8")));
for (const zone of calendar.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(zone);
}
const events = calendar.getAllSubcomponents("vevent").map((c) => new ICAL.Event(c));
const masters = events.filter((e) => e.uid.startsWith("series-") && !e.isRecurrenceException());
for (const exception of events.filter((e) => e.isRecurrenceException())) {
  masters.find((m) => m.uid === exception.uid)?.relateException(exception);
}
const found = [];
for (const master of masters) {
  const iterator = master.iterator();
  for (let next = iterator.next(); next; next = iterator.next()) {
    const details = master.getOccurrenceDetails(next);
    found.push([
      details.startDate.toJSDate().toISOString().replace("Z", "+00:00").replace(".000", ""),
      details.endDate.toJSDate().toISOString().replace("Z", "+00:00").replace(".000", ""),
    ]);
  }
}
process.stdout.write(JSON.stringify(found));
