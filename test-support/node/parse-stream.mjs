// Differential-test peer for Herald's SseParser (herald-core SseParserDifferentialTest).
//
// stdin: one test case per line; a case is its byte chunks, each base64-encoded, joined by ','
//        (an empty chunk is an empty string).
// stdout: one line per case: the records eventsource-parser produced, joined by ' ':
//   E|<id>|<type>|<data>  an event (fields base64 of their UTF-8)
//   R|<millis>            a valid retry field
//   C|<comment>           a comment (base64)
//
// Like for like: eventsource-parser takes strings, so each byte chunk is decoded with ONE streaming
// TextDecoder per case (a multi-byte character split across chunks is completed by the next
// chunk, as in a browser). ignoreBOM: true keeps a leading U+FEFF in the text so that the parser,
// not the decoder, drops it (otherwise a stream starting with two BOMs would lose both).
//
// Semantic differences that this script bridges, so the Java side can compare with the WHATWG
// model directly:
// - eventsource-parser reports an event's `id` only when its own block had an `id` field (and
//   resets it after each block); WHATWG's lastEventId persists. onId is called at every dispatch
//   whose block had an id, before onEvent, so we keep the persistent value here.
// - eventsource-parser leaves `event` undefined when unset; the WHATWG default type is "message".
import { createParser } from 'eventsource-parser';
import { createInterface } from 'node:readline';

const b64 = (s) => Buffer.from(s, 'utf8').toString('base64');

function parseCase(line) {
  const records = [];
  let lastEventId = '';
  const parser = createParser({
    onId: (id) => { lastEventId = id; },
    onEvent: (e) => records.push(`E|${b64(lastEventId)}|${b64(e.event ?? 'message')}|${b64(e.data)}`),
    onRetry: (ms) => records.push(`R|${ms}`),
    onComment: (c) => records.push(`C|${b64(c)}`),
  });
  const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  const chunks = line === '' ? [] : line.split(',');
  for (const chunk of chunks) {
    parser.feed(decoder.decode(Buffer.from(chunk, 'base64'), { stream: true }));
  }
  // End of stream: an unterminated line is discarded by both parsers, so the decoder's final
  // flush (a U+FFFD for a truncated sequence) cannot matter and is not fed.
  return records.join(' ');
}

const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
const out = [];
for await (const line of rl) {
  out.push(parseCase(line));
}
process.stdout.write(out.join('\n') + (out.length ? '\n' : ''));
