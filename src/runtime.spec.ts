// The suite runs on the project's Node 24 (node_modules/.bin/node, put first on PATH by npm scripts),
// not on whatever Node the machine has: this fails if a script ever falls back to the system Node.
describe('runtime', () => {
  it('is Node 24 or newer', () => {
    expect(Number(process.versions.node.split('.')[0])).toBeGreaterThanOrEqual(24);
  });
});
