// What the live board costs the browser that shows it: logs in to a running backend, opens the state view
// in Chromium and, for SECONDS, counts the Socket.IO updates received, the CPU time of the browser's whole
// process tree (from /proc) and the renderer's main-thread time (DevTools profiler samples). It does this
// twice: with motion, and with `prefers-reduced-motion: reduce`, which stops the board's only animation
// (the live badge's pulse), so the difference is what the animation costs.
//
//   BOARD_PASSWORD=... node scripts/board-cpu.mjs http://127.0.0.1:3000/ [SECONDS]
//
// BOARD_USER defaults to admin; CHROMIUM to /usr/bin/chromium. Linux only (/proc).
import { readdirSync, readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

const [url, secondsArg = '20'] = process.argv.slice(2);
const seconds = Number(secondsArg);
const password = process.env.BOARD_PASSWORD;
if (url === undefined || !Number.isFinite(seconds) || seconds <= 0 || password === undefined) {
  console.error('usage: BOARD_PASSWORD=... node scripts/board-cpu.mjs BOARD_URL [SECONDS > 0]');
  process.exit(2);
}
const user = process.env.BOARD_USER ?? 'admin';
const marker = `--class=board-cpu-${process.pid}`;
const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** CPU seconds (user + system) of the browser launched with `marker` and every process under it. */
function browserTreeCpu() {
  const processes = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after the command name, which may hold spaces: state ppid ... utime(14) stime(15).
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      processes.push({
        pid: Number(entry),
        ppid: Number(fields[1]),
        ticks: Number(fields[11]) + Number(fields[12]),
        root: args.includes(marker) && !args.some((arg) => arg.startsWith('--type=')),
      });
    } catch {
      // The process ended between the listing and the read: it is not the browser's.
    }
  }
  const tree = new Set(processes.filter((p) => p.root).map((p) => p.pid));
  if (tree.size === 0) throw new Error('the browser process is not in /proc');
  for (let grew = true; grew;) {
    grew = false;
    for (const p of processes)
      if (!tree.has(p.pid) && tree.has(p.ppid)) {
        tree.add(p.pid);
        grew = true;
      }
  }
  return processes.filter((p) => tree.has(p.pid)).reduce((sum, p) => sum + p.ticks, 0) / TICKS_PER_SECOND;
}

const COUNT_PUSHES = `
  window.__pushes = 0;
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (event) => {
        if (typeof event.data === 'string' && event.data.startsWith('42')) window.__pushes++;
      });
    }
  };
`;

async function measure(reducedMotion) {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', marker],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1920, height: 1080 }, reducedMotion });
    await page.addInitScript({ content: COUNT_PUSHES });
    await page.goto(url);
    await page.getByLabel('Username').fill(user);
    await page.getByLabel('Password').fill(password);
    await page.getByLabel('Password').press('Enter');
    await page.locator('[data-testid="connection-state"][data-state="live"]').waitFor({ timeout: 60_000 });
    await page.locator('[data-testid="district-map"][data-ready="true"]').waitFor({ timeout: 60_000 });
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Profiler.enable');
    const pushes = () => page.evaluate(() => globalThis.__pushes);
    const pushesBefore = await pushes();
    const cpuBefore = browserTreeCpu();
    await cdp.send('Profiler.start');
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    const { profile } = await cdp.send('Profiler.stop');
    const cpu = browserTreeCpu() - cpuBefore;
    const received = (await pushes()) - pushesBefore;
    // Main-thread time: every sample but the idle ones.
    const idle = new Set(profile.nodes.filter((n) => n.callFrame.functionName === '(idle)').map((n) => n.id));
    let busyUs = 0;
    profile.samples.forEach((id, i) => {
      if (!idle.has(id)) busyUs += profile.timeDeltas[i] ?? 0;
    });
    return { reducedMotion, received, cpu, mainThread: busyUs / 1e6 };
  } finally {
    await browser.close();
  }
}

console.log(`board at ${url}, ${seconds} s each`);
console.log('motion          updates  browser CPU (s)  share of a core  renderer main thread (s)');
for (const reducedMotion of ['no-preference', 'reduce']) {
  const row = await measure(reducedMotion);
  console.log(
    `${row.reducedMotion.padEnd(14)} ${String(row.received).padStart(8)} ${row.cpu.toFixed(2).padStart(16)} ` +
      `${`${((100 * row.cpu) / seconds).toFixed(0)}%`.padStart(16)} ${row.mainThread.toFixed(2).padStart(25)}`,
  );
}
