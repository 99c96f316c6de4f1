// A small grouped bar chart (req/s per route and server, one panel per data size) as SVG text.
const COLORS = { app: '#2b7bb9', bare: '#999999', peer: '#e08a2c', baseline: '#6aa84f' };

export function chart(results, title) {
  const sizes = [...new Set(results.map((r) => r.size))];
  const routes = [...new Set(results.map((r) => r.route))];
  const servers = [...new Set(results.map((r) => r.server))];
  const max = Math.max(1, ...results.map((r) => r.rps));
  const bar = 14;
  const groupH = servers.length * bar + 10;
  const width = 900;
  const left = 190;
  const scale = (width - left - 80) / max;
  let y = 40;
  const parts = [`<text x="10" y="22" font-size="15" font-weight="bold">${esc(title)}</text>`];
  servers.forEach((server, i) => {
    parts.push(`<rect x="${width - 110}" y="${8 + i * 14}" width="10" height="10" fill="${COLORS[server] ?? '#555'}"/><text x="${width - 95}" y="${17 + i * 14}" font-size="11">${server}</text>`);
  });
  for (const size of sizes) {
    parts.push(`<text x="10" y="${y + 12}" font-size="13" font-weight="bold">${size.toLocaleString('en')} properties per product</text>`);
    y += 20;
    for (const route of routes) {
      parts.push(`<text x="10" y="${y + 12}" font-size="11">${esc(route)}</text>`);
      servers.forEach((server, i) => {
        const r = results.find((x) => x.size === size && x.route === route && x.server === server);
        if (r) {
          const w = Math.max(1, r.rps * scale);
          parts.push(`<rect x="${left}" y="${y + i * bar}" width="${w.toFixed(1)}" height="${bar - 2}" fill="${COLORS[server] ?? '#555'}"/>`);
          parts.push(`<text x="${left + w + 4}" y="${y + i * bar + 10}" font-size="10">${r.rps} (p99 ${r.p99} ms)</text>`);
        }
      });
      y += groupH;
    }
    y += 10;
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y + 10}" font-family="sans-serif"><rect width="100%" height="100%" fill="white"/>${parts.join('')}</svg>\n`;
  function esc(text) {
    return String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;');
  }
}
