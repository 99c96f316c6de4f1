import pino from 'pino';
import { isoTimeOfMillisecond } from './logging';

describe('isoTimeOfMillisecond', () => {
  afterEach(() => jest.useRealTimers());

  it("is pino's isoTime at every instant, formatted once per millisecond", () => {
    jest.useFakeTimers({ now: new Date('2026-11-30T08:00:00.123Z') });
    expect(isoTimeOfMillisecond()).toBe(pino.stdTimeFunctions.isoTime());
    expect(isoTimeOfMillisecond()).toBe(',"time":"2026-11-30T08:00:00.123Z"');
    jest.setSystemTime(new Date('2026-11-30T08:00:00.124Z'));
    expect(isoTimeOfMillisecond()).toBe(',"time":"2026-11-30T08:00:00.124Z"');
    jest.setSystemTime(new Date('2027-01-01T00:00:00.000Z'));
    expect(isoTimeOfMillisecond()).toBe(pino.stdTimeFunctions.isoTime());
    // A clock set back (NTP) is a new millisecond too.
    jest.setSystemTime(new Date('2026-11-30T08:00:00.123Z'));
    expect(isoTimeOfMillisecond()).toBe(',"time":"2026-11-30T08:00:00.123Z"');
  });
});
