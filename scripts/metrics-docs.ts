// Writes docs/metrics-and-events.md from the metric definitions and Event reasons in src/.
// `npm run docs:metrics`; test/docs/metrics-and-events.test.ts fails when the committed file differs.
import { writeFileSync } from 'node:fs';
import { metricsAndEventsMarkdown, METRICS_AND_EVENTS_DOC } from './metrics-and-events-doc.ts';

writeFileSync(METRICS_AND_EVENTS_DOC, metricsAndEventsMarkdown());
console.log(`wrote ${METRICS_AND_EVENTS_DOC}`);
