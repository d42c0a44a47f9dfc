/** A progress line on stderr: a bar redrawn in place on a terminal, a line every 5 s otherwise. */
export function progressReporter(label: string): {
  update(done: number, total?: number): void;
  done(): void;
} {
  const started = performance.now();
  const tty = process.stderr.isTTY;
  let lastLine = 0;
  let last = '';
  return {
    update(done, total) {
      const seconds = (performance.now() - started) / 1000;
      const rate = done / Math.max(seconds, 1e-3);
      let line = `${label}: ${done.toLocaleString('en-US')} events, ${Math.round(rate).toLocaleString('en-US')}/s`;
      if (total !== undefined && total > 0) {
        const share = done / total;
        const bar = '#'.repeat(Math.round(share * 30)).padEnd(30, '.');
        const eta = rate > 0 ? Math.round((total - done) / rate) : 0;
        line = `${label}: [${bar}] ${(share * 100).toFixed(1)}% ${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')} ${Math.round(rate).toLocaleString('en-US')}/s ETA ${eta}s`;
      }
      last = line;
      if (tty) process.stderr.write(`\r${line}`);
      else if (performance.now() - lastLine > 5_000) {
        process.stderr.write(`${line}\n`);
        lastLine = performance.now();
      }
    },
    done() {
      if (last !== '') process.stderr.write(tty ? `\r${last}\n` : `${last}\n`);
    },
  };
}
