import { estimateTokens, fitContext } from './context-budget';

const match = (n: number, size: number) => ({ id: `id${n}`, question: `q${n}`, answer: 'a'.repeat(size), score: 1 - n / 10 });
const turn = (n: number, size: number) => [
  { role: 'user' as const, content: `u${n} ${'x'.repeat(size)}` },
  { role: 'assistant' as const, content: `a${n} ${'y'.repeat(size)}` },
];

describe('fitContext', () => {
  it('keeps everything when it fits', () => {
    const history = [...turn(1, 40), ...turn(2, 40)];
    const fitted = fitContext(1000, { systemPrompt: 'sys', toolsJson: '[]', matches: [match(1, 100)], history, question: 'q?' });
    expect(fitted.history).toEqual(history);
    expect(fitted.matches).toHaveLength(1);
  });

  it('drops the oldest history first and never starts with an answer', () => {
    const history = [...turn(1, 400), ...turn(2, 400), ...turn(3, 400)];
    const fitted = fitContext(400, { systemPrompt: 'sys', toolsJson: '', matches: [], history, question: 'q?' });
    expect(fitted.history).toEqual(turn(3, 400));
    const total =
      estimateTokens(fitted.system) + estimateTokens('q?') + fitted.history.reduce((sum, m) => sum + estimateTokens(m.content), 0);
    expect(total).toBeLessThanOrEqual(400);
  });

  it('drops the weakest FAQ entries when the fixed part alone is over budget', () => {
    const fitted = fitContext(300, {
      systemPrompt: 'sys',
      toolsJson: 'x'.repeat(400),
      matches: [match(1, 400), match(2, 400), match(3, 400)],
      history: turn(1, 10),
      question: 'q?',
    });
    expect(fitted.matches.map((m) => m.id)).toEqual(['id1']);
    expect(fitted.history).toEqual(turn(1, 10));
  });
});
