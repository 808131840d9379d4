// Front ends of the Forgather notebook widgets (anywidget ESM, no build step).
//
// One module for every view, chosen by the model's `_view` trait, so the
// small REST / WebSocket / SSE helpers are written once. The widgets talk to
// the server from the browser (same origin, under the page's Jupyter base URL,
// with its token and XSRF cookie), never through kernel state, and every
// render returns a cleanup that closes sockets and timers: a re-run cell or a
// restarted kernel leaves nothing polling.

const API = "forgather/api/";

function pageConfig() {
  const el = document.getElementById("jupyter-config-data");
  try { return el ? JSON.parse(el.textContent) : {}; } catch { return {}; }
}

function baseUrl(model) {
  const b = model.get("base_url") || pageConfig().baseUrl || "/";
  return b.endsWith("/") ? b : b + "/";
}

function cookie(name) {
  const m = document.cookie.match("\\b" + name + "=([^;]*)\\b");
  return m ? decodeURIComponent(m[1]) : undefined;
}

// Sockets and EventSource cannot send headers. The page's login cookie
// authenticates them (same origin); a ?token= would also work for Jupyter but
// the API validates its query strictly, so it is not added.
function withToken(url) {
  return url;
}

export async function api(model, path, init = {}) {
  const headers = new Headers(init.headers || {});
  const token = pageConfig().token;
  if (token) headers.set("Authorization", "token " + token);
  const xsrf = cookie("_xsrf");
  if (xsrf) headers.set("X-XSRFToken", xsrf);
  if (init.body && !headers.has("Content-Type")) headers.set("Content-Type", "application/json");
  const r = await fetch(baseUrl(model) + API + path, { credentials: "same-origin", ...init, headers });
  const text = await r.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = text; }
  if (!r.ok) throw new Error((data && data.message) || `${r.status} ${r.statusText}`);
  return data;
}

function wsUrl(model, path) {
  const proto = location.protocol === "https:" ? "wss:" : "ws:";
  return withToken(proto + "//" + location.host + baseUrl(model) + API + path);
}

function h(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else if (v !== undefined && v !== null && v !== false) e.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined) e.append(c);
  return e;
}

function bar(pct, label) {
  const p = Math.max(0, Math.min(100, pct || 0));
  return h("div", { class: "fg-bar", title: label || `${p.toFixed(0)}%` },
    h("div", { class: "fg-bar-fill", style: `width:${p}%` }), h("span", {}, label || `${p.toFixed(0)}%`));
}

const gib = (b) => (b / 2 ** 30).toFixed(1) + " GiB";

/**
 * A lifetime: timers and sockets that all stop together, when anywidget calls
 * the cleanup render() returned (output cleared by a re-run, widget closed,
 * kernel restarted). Not on detach alone: JupyterLab's windowed notebook
 * detaches cells scrolled out of view and attaches them again.
 */
function lifetime() {
  const stops = [];
  const life = {
    alive: true,
    add(stop) { stops.push(stop); },
    every(ms, fn) { const id = setInterval(fn, ms); stops.push(() => clearInterval(id)); },
    stop() { if (!life.alive) return; life.alive = false; stops.forEach((s) => { try { s(); } catch {} }); },
  };
  return life;
}

function errorLine(box, err) {
  box.replaceChildren(h("div", { class: "fg-error" }, String(err.message || err)));
}

// -- GPU dashboard -----------------------------------------------------------------------

function renderGpus(model, el, life) {
  const grid = h("div", { class: "fg-gpus" });
  const status = h("div", { class: "fg-muted" }, "connecting…");
  el.append(h("div", { class: "fg-title" }, "GPUs"), status, grid);
  const show = (data) => {
    status.textContent = `${data.gpus.length} GPUs · ${data.backend}${data.simulated ? " (simulated)" : ""}`;
    grid.replaceChildren(...data.gpus.map((g) => h("div", { class: "fg-gpu" + (g.disabled ? " fg-off" : ""), "data-index": g.index },
      h("div", { class: "fg-gpu-head" }, h("b", {}, `GPU ${g.index}`), " ", g.name),
      bar(g.utilization, `util ${g.utilization ?? "?"}%`),
      bar(100 * g.memory_used / (g.memory_total || 1), `${gib(g.memory_used)} / ${gib(g.memory_total)}`),
      h("div", { class: "fg-muted" }, `${g.temperature ?? "?"}°C · ${g.power == null ? "?" : g.power.toFixed(0)} W · min prio ${g.min_priority}`),
      h("div", {}, g.reserved_by ? `job ${g.reserved_by}` : (g.disabled ? "disabled" : "free")),
      h("button", { class: "fg-btn", onclick: () => api(model, `gpus/${g.index}/policy`, { method: "POST", body: JSON.stringify({ disabled: !g.disabled }) }).catch((e) => errorLine(status, e)) },
        g.disabled ? "enable" : "disable"))));
  };
  const poll = () => api(model, "gpus").then(show).catch((e) => errorLine(status, e));
  let ws;
  try {
    ws = new WebSocket(wsUrl(model, "gpus/stream"));
    ws.onmessage = (m) => show(JSON.parse(m.data));
    ws.onerror = () => { if (life.alive) life.every(3000, poll); };
    life.add(() => ws.close());
  } catch { life.every(3000, poll); }
  poll();
}

// -- jobs table ----------------------------------------------------------------------------

const ACTIONS = { queued: ["cancel"], starting: ["kill"], running: ["save", "stop", "abort", "kill"] };

function control(model, job, action) {
  return action === "cancel"
    ? api(model, `queue/${job.id}`, { method: "DELETE" })
    : api(model, `jobs/${job.id}/control/${action}`, { method: "POST" });
}

function renderJobs(model, el, life) {
  const msg = h("div", { class: "fg-muted" });
  const body = h("tbody");
  el.append(h("div", { class: "fg-title" }, "Jobs"), msg,
    h("table", { class: "fg-table" }, h("thead", {}, h("tr", {}, ...["id", "name", "status", "prio", "gpus", "progress", ""].map((c) => h("th", {}, c)))), body));
  let busy = false;
  const refresh = async () => {
    if (busy || !life.alive) return;
    busy = true;
    try {
      const q = new URLSearchParams({ limit: String(model.get("limit") || 20) });
      if (model.get("status")) q.set("status", model.get("status"));
      const { jobs, total } = await api(model, "jobs?" + q);
      const progress = await Promise.all(jobs.map((j) => j.status === "running"
        ? api(model, `jobs/${j.id}/inline-progress`).catch(() => null) : null));
      const n = total ?? jobs.length;
      msg.textContent = `${n} job${n === 1 ? "" : "s"}`;
      body.replaceChildren(...jobs.map((j, i) => h("tr", { "data-job": j.id, class: "fg-" + j.status },
        h("td", {}, h("code", {}, j.id)), h("td", {}, j.name), h("td", {}, j.status), h("td", {}, String(j.priority)),
        h("td", {}, j.gpus.join(",") || "-"),
        h("td", {}, progress[i] && progress[i].progress != null ? bar(progress[i].progress) : (j.status === "done" ? bar(100) : "")),
        h("td", {}, ...(ACTIONS[j.status] || []).map((a) => h("button", { class: "fg-btn", onclick: () => control(model, j, a).then(refresh).catch((e) => { msg.textContent = e.message; }) }, a))))));
    } catch (e) { msg.textContent = e.message; }
    busy = false;
  };
  // Events make it live; the slow poll is the safety net (and the fallback without SSE).
  const es = new EventSource(withToken(baseUrl(model) + API + "events?types=job_status_changed,queue_changed,job_progress"));
  let pending = null;
  es.onmessage = () => { if (!pending) pending = setTimeout(() => { pending = null; refresh(); }, 250); };
  life.add(() => { es.close(); clearTimeout(pending); });
  life.every(5000, refresh);
  refresh();
}

// -- job view: live log and a metric chart ---------------------------------------------

function chart(points, width = 420, height = 140) {
  const svg = (tag, attrs) => { const e = document.createElementNS("http://www.w3.org/2000/svg", tag); for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v); return e; };
  const root = svg("svg", { width, height, class: "fg-chart", viewBox: `0 0 ${width} ${height}` });
  const pts = points.filter((p) => p[1] !== null);
  if (pts.length < 2) { const t = svg("text", { x: 10, y: 20 }); t.textContent = "waiting for metrics…"; root.append(t); return root; }
  const xs = pts.map((p) => p[0]), ys = pts.map((p) => p[1]);
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const sx = (x) => 40 + (width - 50) * (x - x0) / ((x1 - x0) || 1);
  const sy = (y) => height - 20 - (height - 30) * (y - y0) / ((y1 - y0) || 1);
  root.append(svg("polyline", { points: pts.map((p) => `${sx(p[0])},${sy(p[1])}`).join(" "), fill: "none", stroke: "var(--jp-brand-color1, #1976d2)", "stroke-width": 1.5 }));
  for (const [y, label] of [[y1, y1.toPrecision(3)], [y0, y0.toPrecision(3)]]) { const t = svg("text", { x: 2, y: sy(y) + 4, class: "fg-axis" }); t.textContent = label; root.append(t); }
  const t = svg("text", { x: width - 60, y: height - 4, class: "fg-axis" }); t.textContent = `step ${x1}`; root.append(t);
  return root;
}

function renderJob(model, el, life) {
  const id = model.get("job_id");
  const head = h("div", { class: "fg-title" }, `Job ${id}`);
  const state = h("div", { class: "fg-muted" }, "…");
  const buttons = h("div", {}, ...["save", "stop", "abort", "kill"].map((a) => h("button", { class: "fg-btn", onclick: () => api(model, `jobs/${id}/control/${a}`, { method: "POST" }).then(() => { state.textContent = `${a} sent`; }).catch((e) => { state.textContent = e.message; }) }, a)));
  const metric = model.get("metric") || "loss";
  const plot = h("div", { class: "fg-plot" }, h("div", { class: "fg-muted" }, metric), chart([]));
  const log = h("pre", { class: "fg-log" });
  el.append(head, state, buttons, plot, log);
  let text = "";
  const append = (chunk) => {
    // Carriage returns redraw the line, as progress bars expect.
    text = (text + chunk).replace(/[^\n]*\r(?!\n)/g, "").slice(-200000);
    log.textContent = text;
    log.scrollTop = log.scrollHeight;
  };
  // The server ends the stream at once for a job that has not started yet:
  // connect again until output arrives (then a close means the job ended).
  let ws = null, got = false, finished = false;
  const connect = () => {
    if (!life.alive) return;
    ws = new WebSocket(wsUrl(model, `jobs/${encodeURIComponent(id)}/tty?follow=1`));
    ws.onmessage = (m) => { got = true; append(m.data); };
    ws.onclose = () => { if (life.alive && !got && !finished) retry = setTimeout(connect, 1000); };
  };
  let retry = null;
  connect();
  life.add(() => { clearTimeout(retry); if (ws) ws.close(); });
  const tick = async () => {
    try {
      const job = await api(model, `jobs/${encodeURIComponent(id)}`);
      const prog = job.status === "running" ? await api(model, `jobs/${id}/inline-progress`).catch(() => null) : null;
      state.replaceChildren(`${job.name} · ${job.status}${job.exit_code != null ? " (exit " + job.exit_code + ")" : ""}`, prog && prog.progress != null ? bar(prog.progress) : "");
      const m = await api(model, `jobs/${encodeURIComponent(id)}/metrics?names=${encodeURIComponent(metric)}`).catch(() => null);
      if (m && m.series) plot.replaceChildren(h("div", { class: "fg-muted" }, metric), chart(m.series[metric] || []));
      const ended = ["done", "failed", "aborted", "cancelled"].includes(job.status);
      buttons.hidden = ended || job.status === "queued";
      if (ended) {
        if (finished) life.stop();  // one last refresh after the end, then stop polling
        finished = true;
      }
    } catch (e) { errorLine(state, e); }
  };
  life.every(2000, tick);
  tick();
}

const VIEWS = { gpus: renderGpus, jobs: renderJobs, job: renderJob };

// == chat (ChatWidget, forgather_lab/widgets/chat.py) ======================================
// Resolves the server (job_id → base_url from inference/servers, or `base`, or a
// picker), fills the preset dropdown from generation-configs and streams replies
// from the same-origin proxy (SSE read from fetch's body). Stop and clearing the
// output abort the request; the proxy then closes the upstream.

function mdLite(text) {
  // Plain text with `code`, **bold** and fenced blocks; everything escaped first.
  const esc = text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  return esc.replace(/```[a-z]*\n?([\s\S]*?)```/g, "<pre><code>$1</code></pre>")
    .replace(/`([^`\n]+)`/g, "<code>$1</code>").replace(/\*\*([^*\n]+)\*\*/g, "<b>$1</b>");
}

async function* sseData(response) {
  const reader = response.body.getReader();
  const dec = new TextDecoder();
  let buf = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += dec.decode(value, { stream: true });
    let i;
    while ((i = buf.indexOf("\n")) >= 0) {
      const line = buf.slice(0, i).replace(/\r$/, "");
      buf = buf.slice(i + 1);
      if (line.startsWith("data:")) yield line.slice(5).trim();
    }
  }
}

function renderChat(model, el, life) {
  const status = h("div", { class: "fg-muted" }, "…");
  const pick = h("select", { title: "inference server" });
  const preset = h("select", { title: "generation preset" }, h("option", { value: "" }, "(no preset)"));
  const system = h("input", { class: "fg-chat-system", placeholder: "system prompt", value: model.get("system") || "" });
  const log = h("div", { class: "fg-chat-log" });
  const input = h("textarea", { placeholder: "Message (Enter sends, Shift+Enter: new line)" });
  const send = h("button", { class: "fg-btn" }, "send");
  const stop = h("button", { class: "fg-btn", disabled: true }, "stop");
  const clear = h("button", { class: "fg-btn" }, "clear");
  el.append(h("div", { class: "fg-title" }, "Chat"), h("div", { class: "fg-chat-bar" }, pick, preset, clear), system, status, log,
    h("div", { class: "fg-chat-input" }, input, send, stop));
  const turns = [];
  let base = model.get("base") || "", controller = null;
  const fixed = Boolean(base || model.get("job_id"));
  pick.hidden = fixed;
  const turn = (role, text) => {
    const div = h("div", { class: "fg-turn fg-turn-" + role });
    div.innerHTML = mdLite(text);
    log.append(div);
    log.scrollTop = log.scrollHeight;
    return div;
  };
  const refreshServers = async () => {
    if (model.get("base")) { status.textContent = `server ${base}`; return; }
    const { servers } = await api(model, "inference/servers");
    const ready = servers.filter((s) => s.job_type !== "tensorboard" && s.state === "ready");
    const want = model.get("job_id");
    if (want) {
      const row = servers.find((s) => s.job_id === want);
      base = row && row.state === "ready" ? row.base_url : "";
      status.textContent = row ? `job ${want} · ${row.model || row.name} · ${row.state}` : `job ${want}: not a running inference server`;
      return;
    }
    const current = pick.value;
    pick.replaceChildren(...(ready.length ? ready : [null]).map((s) => s
      ? h("option", { value: s.base_url }, `${s.job_id} · ${s.model || s.name}`)
      : h("option", { value: "" }, "(no inference server ready)")));
    if (ready.some((s) => s.base_url === current)) pick.value = current;
    base = pick.value;
    status.textContent = base ? `server ${base}` : "no inference server ready; start one with %forgather serve MODEL";
  };
  pick.onchange = () => { base = pick.value; status.textContent = `server ${base}`; };
  api(model, "generation-configs").then(({ presets }) => {
    preset.append(...presets.map((p) => h("option", { value: p.name }, p.name + (p.builtin && !p.shadowed ? "" : " (user)"))));
    preset.value = model.get("preset") || "";
  }).catch(() => {});
  const tick = () => { if (!controller) refreshServers().catch((e) => errorLine(status, e)); };
  tick();
  life.every(fixed && model.get("base") ? 60000 : 3000, tick);

  const ask = async () => {
    const text = input.value.trim();
    if (!text || controller) return;
    if (!base) { status.textContent = "no server ready yet"; return; }
    input.value = "";
    turns.push({ role: "user", content: text });
    turn("user", text);
    const out = turn("assistant", "…");
    controller = new AbortController();
    send.disabled = true; stop.disabled = false;
    let reply = "";
    try {
      const params = preset.value ? (await api(model, `generation-configs/${encodeURIComponent(preset.value)}`)).params : {};
      const messages = system.value.trim() ? [{ role: "system", content: system.value.trim() }, ...turns] : turns;
      const headers = { "Content-Type": "application/json" };
      const token = pageConfig().token, xsrf = cookie("_xsrf");
      if (token) headers.Authorization = "token " + token;
      if (xsrf) headers["X-XSRFToken"] = xsrf;
      const r = await fetch(baseUrl(model) + API + "inference/chat/completions?base=" + encodeURIComponent(base), {
        method: "POST", credentials: "same-origin", headers, signal: controller.signal,
        body: JSON.stringify({ max_tokens: model.get("max_tokens"), ...params, messages, stream: true }),
      });
      if (!r.ok) { const t = await r.text(); let m = t; try { const j = JSON.parse(t); m = (j.error && j.error.message) || j.message || t; } catch {} throw new Error(`${r.status}: ${m}`); }
      for await (const data of sseData(r)) {
        if (data === "[DONE]") break;
        const delta = JSON.parse(data).choices?.[0]?.delta?.content;
        if (delta) { reply += delta; out.innerHTML = mdLite(reply); log.scrollTop = log.scrollHeight; }
      }
      if (!reply) out.textContent = "(empty reply)";
    } catch (e) {
      if (e.name === "AbortError") out.innerHTML = mdLite(reply + " [stopped]");
      else { out.replaceChildren(h("span", { class: "fg-error" }, String(e.message || e))); }
    }
    if (reply) turns.push({ role: "assistant", content: reply });
    else turns.pop();
    controller = null;
    send.disabled = false; stop.disabled = true;
  };
  send.onclick = ask;
  input.onkeydown = (ev) => { if (ev.key === "Enter" && !ev.shiftKey) { ev.preventDefault(); ask(); } };
  stop.onclick = () => { if (controller) controller.abort(); };
  clear.onclick = () => { turns.length = 0; log.replaceChildren(); };
  life.add(() => { if (controller) controller.abort(); });
}

VIEWS.chat = renderChat;
// == end chat ================================================================================

export default {
  render({ model, el }) {
    el.classList.add("forgather-widget", "fg-" + model.get("_view"));
    const life = lifetime();
    const view = VIEWS[model.get("_view")];
    if (!view) { el.textContent = `unknown view ${model.get("_view")}`; return () => {}; }
    view(model, el, life);
    return () => life.stop();
  },
};
