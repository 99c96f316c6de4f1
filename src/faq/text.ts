// Words of a question or an FAQ text, shared by full-text search and the local embedding so both
// read a text the same way.

const words = (list: string): Set<string> => new Set(list.split(' '));

// Words that make a sentence a question but say nothing about its topic ("how much do I need…").
const FILLER =
  'much many need want get got like please tell know able possible ok okay way still really actually also thing anything something';

// Full-text search: PostgreSQL's english stop words already drop "how", "do", "i", "can"…; these are the ones it keeps.
export const QUESTION_FILLER = words(`${FILLER} needs wants gets things go going make take let lets`);

// The local embedding has no stop-word list of its own to lean on: function words carry no topic,
// and leaving them in would make every question look alike.
export const STOP_WORDS = words(
  'a an and are as at be been but by can could did do does doing for from had has have how i if in into is it its ' +
    'me my mine of on or our ours so than that the their them then there these they this those to too us was we were ' +
    'what when where which who whom why will with would you your yours am any some just about here should ' +
    `shall may might must im ive id dont cant wont isnt arent ${FILLER}`,
);

/**
 * Lower-case words with accents folded and punctuation dropped. `joinApostrophes` reads "don't" as
 * "dont" (the embedding); without it a text splits at apostrophes like PostgreSQL's parser does.
 */
export function splitWords(text: string, options: { joinApostrophes?: boolean } = {}): string[] {
  let folded = text.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
  if (options.joinApostrophes) {
    folded = folded.replace(/['\u2019]/g, '');
  }
  return folded.split(/[^a-z0-9]+/).filter((word) => word.length > 0);
}

/** Words with their topic: function words left out (the local embedding's features). */
export function contentWords(text: string): string[] {
  return splitWords(text, { joinApostrophes: true }).filter((word) => !STOP_WORDS.has(word));
}

// A few English suffix rules (a small slice of Porter's step 1): enough to meet "bookings" with "booking".
export function lightStem(word: string): string {
  if (word.length <= 3) {
    return word;
  }
  if (word.endsWith('ies') && word.length > 4) {
    return `${word.slice(0, -3)}y`;
  }
  if (word.endsWith('sses')) {
    return word.slice(0, -2);
  }
  if (word.endsWith('s') && !word.endsWith('ss') && !word.endsWith('us') && !word.endsWith('is')) {
    word = word.slice(0, -1);
  }
  for (const suffix of ['ing', 'ed']) {
    if (word.endsWith(suffix) && word.length - suffix.length >= 3) {
      const stem = word.slice(0, -suffix.length);
      // "stopped" -> "stop", "booked" -> "book"
      return stem.length > 3 && stem.at(-1) === stem.at(-2) && !'lsz'.includes(stem.at(-1) ?? '') ? stem.slice(0, -1) : stem;
    }
  }
  return word;
}
