#!/usr/bin/env node
// Parse an .ics file with Mozilla's ical.js (Thunderbird's parser) and dump what it sees as JSON.
//
// Usage: node tests/js/icaljs_check.mjs FILE.ics FROM TO [default]   (FROM/TO: YYYY-MM-DD, inclusive)
//
// Prints one JSON object on stdout:
//   {"calendar": {"name", "props"}, "events": [{uid, summary, description, start, end, isDate,
//     recurring, recurrenceId, truncated, occurrences: [{start, summary}]}]}
// Overrides (VEVENTs with RECURRENCE-ID) are related to the master VEVENT with the same UID, so the
// master's occurrences carry the overridden summary; the overrides are listed as events of their own
// (recurrenceId set) with no occurrences of their own, unless they have no master (orphans).
// With "default": each VEVENT is read by ical.js's default `new ICAL.Event(vevent)`, as a viewer that
// does nothing more would: it relates *every* RECURRENCE-ID component of the calendar to every series,
// whatever its UID (an override on a day another series also has changes that series' occurrence too).
// On a parse or processing error: prints {"error": "..."} and exits with code 2.

import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const MAX_ITERATIONS = 5000;
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

function fail(message, code = 2) {
  process.stdout.write(JSON.stringify({ error: message }) + "\n");
  process.exit(code);
}

/** "YYYY-MM-DD" of an ICAL.Time, in the time's own zone (as written in the file). */
function dateOf(time) {
  const pad = (n, w = 2) => String(n).padStart(w, "0");
  return `${pad(time.year, 4)}-${pad(time.month)}-${pad(time.day)}`;
}

function timeString(time) {
  return time ? time.toString() : null;
}

function propValue(prop) {
  return prop
    .getValues()
    .map((v) => String(v))
    .join(",");
}

function occurrencesOf(event, from, to) {
  const occurrences = [];
  let truncated = false;
  if (!event.isRecurring()) {
    const day = dateOf(event.startDate);
    if (day >= from && day <= to) {
      occurrences.push({ start: day, summary: event.summary ?? null });
    }
    return { occurrences, truncated };
  }
  const it = event.iterator();
  for (let i = 0; ; i++) {
    if (i >= MAX_ITERATIONS) {
      truncated = true;
      break;
    }
    const next = it.next();
    if (!next || dateOf(next) > to) break;
    const details = event.getOccurrenceDetails(next);
    const day = dateOf(details.startDate);
    if (day >= from && day <= to) {
      occurrences.push({ start: day, summary: details.item.summary ?? null });
    }
  }
  return { occurrences, truncated };
}

function main(argv) {
  const usage = argv.length < 3 || argv.length > 4 || (argv.length === 4 && argv[3] !== "default");
  if (usage || !DATE_RE.test(argv[1]) || !DATE_RE.test(argv[2])) {
    process.stderr.write("usage: node icaljs_check.mjs FILE.ics FROM TO [default]   (dates as YYYY-MM-DD)\n");
    process.exit(64);
  }
  const [file, from, to] = argv;
  const defaultEvent = argv[3] === "default";

  let vcalendar;
  try {
    const jcal = ICAL.parse(readFileSync(file, "utf8"));
    if (!Array.isArray(jcal) || typeof jcal[0] !== "string") {
      throw new Error("expected exactly one top-level component");
    }
    vcalendar = new ICAL.Component(jcal);
    if (vcalendar.name !== "vcalendar") {
      throw new Error(`top-level component is ${vcalendar.name.toUpperCase()}, not VCALENDAR`);
    }
  } catch (err) {
    fail(`parse error: ${err.message}`);
  }

  try {
    for (const vtimezone of vcalendar.getAllSubcomponents("vtimezone")) {
      ICAL.TimezoneService.register(vtimezone);
    }

    const props = {};
    for (const prop of vcalendar.getAllProperties()) {
      const name = prop.name.toUpperCase();
      if (!(name in props)) props[name] = propValue(prop);
    }
    const calendar = { name: props.NAME ?? props["X-WR-CALNAME"] ?? null, props };

    const vevents = vcalendar.getAllSubcomponents("vevent");
    const overrides = vevents.filter((c) => c.hasProperty("recurrence-id"));
    const masterUids = new Set(
      vevents.filter((c) => !c.hasProperty("recurrence-id")).map((c) => c.getFirstPropertyValue("uid")),
    );

    const events = vevents.map((vevent) => {
      const isOverride = vevent.hasProperty("recurrence-id");
      // An explicit (empty) exceptions list stops ical.js from relating *every* RECURRENCE-ID
      // component of the calendar regardless of UID; we relate the matching ones ourselves.
      const event = defaultEvent
        ? new ICAL.Event(vevent)
        : new ICAL.Event(vevent, { strictExceptions: false, exceptions: [] });
      if (!isOverride && !defaultEvent) {
        for (const override of overrides) {
          if (override.getFirstPropertyValue("uid") === event.uid) event.relateException(override);
        }
      }
      const result =
        isOverride && masterUids.has(event.uid)
          ? { occurrences: [], truncated: false }
          : occurrencesOf(event, from, to);
      return {
        uid: event.uid ?? null,
        summary: event.summary ?? null,
        description: event.description ?? null,
        start: timeString(event.startDate),
        end: timeString(event.endDate),
        isDate: event.startDate.isDate,
        recurring: event.isRecurring(),
        recurrenceId: timeString(event.recurrenceId),
        truncated: result.truncated,
        occurrences: result.occurrences,
      };
    });

    process.stdout.write(JSON.stringify({ calendar, events }) + "\n");
  } catch (err) {
    fail(`processing error: ${err.message}`);
  }
}

main(process.argv.slice(2));
