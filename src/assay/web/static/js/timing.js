// Active time on a task, measured in the browser: time counts while the tab is visible and
// the worker did something (key, pointer, scroll, media playing) in the last 30 seconds.

export const IDLE_AFTER_MS = 30_000;
const TICK_MS = 1000;
const ACTIVITY_EVENTS = ["keydown", "pointerdown", "pointermove", "wheel", "scroll", "input", "touchstart", "focusin"];

export class ActiveTimer {
  constructor({ initialMs = 0, idleAfterMs = IDLE_AFTER_MS, now = () => performance.now() } = {}) {
    this.activeMs = initialMs;
    this.idleMs = 0;
    this.hiddenMs = 0;
    this.idleAfterMs = idleAfterMs;
    this.now = now;
    this.lastActivity = now();
    this.lastTick = now();
    this.timer = null;
  }

  start(target = document) {
    const mark = () => this.activity();
    for (const name of ACTIVITY_EVENTS) target.addEventListener(name, mark, { passive: true, capture: true });
    document.addEventListener("visibilitychange", () => this.visibilityChanged());
    this.timer = setInterval(() => this.tick(), TICK_MS);
    return this;
  }

  visibilityChanged() {
    if (document.visibilityState === "hidden") {
      this.tick();
      return;
    }
    // Everything since the last tick was spent in another tab.
    const now = this.now();
    this.hiddenMs += Math.max(0, now - this.lastTick);
    this.lastTick = now;
    this.lastActivity = now;
  }

  activity() {
    this.tick();
    this.lastActivity = this.now();
  }

  // Attribute the time since the last tick to active, idle or hidden.
  tick() {
    const now = this.now();
    const elapsed = Math.max(0, now - this.lastTick);
    this.lastTick = now;
    if (document.visibilityState === "hidden") this.hiddenMs += elapsed;
    else {
      // Only the part of the interval before the idle threshold counts as active.
      const activeUntil = this.lastActivity + this.idleAfterMs;
      const start = now - elapsed;
      const active = Math.max(0, Math.min(now, activeUntil) - start);
      this.activeMs += active;
      this.idleMs += elapsed - active;
    }
  }

  get ms() {
    return Math.round(this.activeMs);
  }

  stop() {
    clearInterval(this.timer);
    this.tick();
  }
}

export function formatClock(ms) {
  const total = Math.floor(ms / 1000);
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = String(total % 60).padStart(2, "0");
  return hours ? `${hours}:${String(minutes).padStart(2, "0")}:${seconds}` : `${minutes}:${seconds}`;
}
