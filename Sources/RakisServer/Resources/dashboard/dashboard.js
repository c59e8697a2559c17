// The node's dashboard: plain JavaScript against the node's own API (/api), live over
// server-sent events (/api/events). No libraries, nothing fetched from elsewhere.
"use strict";

const $ = (selector) => document.querySelector(selector);
const state = { selected: null, packetType: "", packets: [], logs: [], stats: null, refreshing: false };

// The bearer token: from the URL fragment `#token=…` that `rakis run` prints, or typed in; kept in this browser.
(function initToken() {
  const match = location.hash.match(/token=([^&]+)/);
  if (match) { localStorage.setItem("rakisToken", decodeURIComponent(match[1])); history.replaceState(null, "", location.pathname); }
  $("#token").value = localStorage.getItem("rakisToken") || "";
  $("#token").addEventListener("change", (event) => localStorage.setItem("rakisToken", event.target.value.trim()));
})();

function text(value) { return value === null || value === undefined ? "" : String(value); }
function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (key === "class") node.className = value; else if (key.startsWith("on")) node.addEventListener(key.slice(2), value); else node.setAttribute(key, value);
  }
  for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(text(child)));
  return node;
}
function svg(tag, attributes = {}, ...children) {
  const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
  for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(text(child)));
  return node;
}
function short(id) { return id ? id.slice(0, 10) + "…" : ""; }
function time(iso) { return iso ? new Date(iso).toLocaleTimeString() : ""; }

async function api(path, options = {}) {
  const headers = { "Accept": "application/json", ...(options.headers || {}) };
  if (options.body) headers["Content-Type"] = "application/json";
  const token = localStorage.getItem("rakisToken");
  if (token && options.method && options.method !== "GET") headers["Authorization"] = "Bearer " + token;
  const response = await fetch(path, { ...options, headers });
  const body = await response.json().catch(() => null);
  if (!response.ok) throw new Error(body && body.error ? body.error.message : response.status + " " + response.statusText);
  return body;
}

// --- Stats and health ---------------------------------------------------------------------
async function refreshStats() {
  const stats = await api("/api/stats");
  state.stats = stats;
  $("#node-id").textContent = short(stats.synthientId);
  $("#node-id").title = stats.synthientId;
  if (!$("#models").value && stats.models.length) $("#models").value = stats.models.join(", ");
  const cards = [
    ["peers", `${stats.activePeers} / ${stats.totalPeers}`], ["packets", stats.totalPackets], ["requests seen", stats.requestsSeen],
    ["own inferences", stats.ownInferences], ["tokens", stats.totalTokens], ["consensus ok", stats.consensusSucceeded],
    ["consensus failed", stats.consensusFailed], ["LLM workers", stats.llmWorkers], ["embedding workers", stats.embeddingWorkers],
    ["embedding queue", stats.embeddingQueueLength], ["sent", stats.packetsTransmitted], ["uptime", Math.round(stats.uptimeSeconds) + " s"],
  ];
  $("#stats").replaceChildren(...cards.map(([label, value]) => el("div", { class: "card" }, el("b", {}, value), el("span", {}, label))));
  // The watched chains: how far behind the head each watcher is, and this node's fulfils there.
  $("#chains-section").hidden = !stats.chains.length;
  $("#chains").replaceChildren(table(["chain", "inbox", "head", "lag (blocks)", "requests", "fulfils sent", "won", "lost", "gas", "problem"],
    stats.chains.map((c) => [`${c.name}${c.chainId === undefined ? "" : " (" + c.chainId + ")"}`, short(c.inbox), text(c.head), text(c.headLag),
      c.requestsSeen, c.fulfilmentsSent, c.fulfilmentsWon, c.fulfilmentsLost, c.gasSpent, text(c.lastError)])));
  const health = await fetch("/api/health").then((r) => r.json());
  const badge = $("#health");
  badge.textContent = health.status === "ok" ? "ready" : health.status === "disconnected" ? "no transport connected" : health.status;
  badge.className = "badge " + (health.status === "ok" ? "ok" : health.status === "degraded" ? "bad" : "warn");
  badge.title = health.problem || "";
  // Which transports are down, in words, while none reaches anyone (they keep retrying).
  const network = $("#network");
  network.hidden = health.connected;
  network.textContent = health.connected ? "" : health.transports.filter((t) => !t.connected).map((t) => `${t.name}: ${t.detail}`).join(" · ");
}

// --- Request form -------------------------------------------------------------------------
// A number field left empty takes the node's default (the API fills in what a request leaves out).
function formProblems(form) {
  const problems = [];
  const check = (field, ok, message) => { field.classList.toggle("invalid", !ok); if (!ok) problems.push(message); };
  const number = (field, ok, message) => {
    if (field.value === "") { field.classList.remove("invalid"); return undefined; }
    const value = Number(field.value);
    check(field, ok(value), message);
    return value;
  };
  check(form.prompt, form.prompt.value.trim().length > 0, "Write a prompt.");
  const models = form.models.value.split(",").map((m) => m.trim()).filter(Boolean);
  check(form.models, models.length > 0, "Name at least one model.");
  const quorum = number(form.quorum, (v) => Number.isInteger(v) && v >= 1 && v <= 100, "Quorum must be a whole number from 1 to 100.");
  const seconds = number(form.time, (v) => v >= 1 && v <= 3600, "Time must be 1 to 3600 seconds.");
  const percentage = number(form.percentage, (v) => v > 0 && v <= 1, "Agreement must be above 0 and at most 1.");
  const distance = number(form.distance, (v) => v >= 0 && v <= 1024, "Distance must be 0 to 1024 bits.");
  const temperature = number(form.temperature, (v) => v >= 0 && v <= 2, "Temperature must be 0 to 2.");
  const maxTokens = number(form.maxTokens, (v) => Number.isInteger(v) && v >= 1 && v <= 4096, "Max tokens must be a whole number from 1 to 4096.");
  return { problems, models, quorum, seconds, percentage, distance, temperature, maxTokens };
}

$("#request-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.target;
  const errors = $("#form-errors");
  const { problems, models, quorum, seconds, percentage, distance, temperature, maxTokens } = formProblems(form);
  errors.replaceChildren(...problems.map((p) => el("li", {}, p)));
  if (problems.length) return;
  $("#submit").disabled = true;
  try {
    // JSON.stringify leaves out the fields that are undefined: the node's defaults apply.
    const body = {
      prompt: form.prompt.value, acceptedModels: models, maxTokens, temperature,
      securityFrame: { quorum, maxTimeMs: seconds === undefined ? undefined : Math.round(seconds * 1000), secPercentage: percentage, secDistance: distance },
    };
    const result = await api("/api/inferences", { method: "POST", body: JSON.stringify(body) });
    form.prompt.value = "";
    await refreshInferences();
    showDetail(result.requestId);
  } catch (error) {
    errors.replaceChildren(el("li", {}, error.message));
  } finally {
    $("#submit").disabled = false;
  }
});

// --- Inference list and detail --------------------------------------------------------------
async function refreshInferences() {
  const { inferences } = await api("/api/inferences?limit=50");
  $("#inferences tbody").replaceChildren(...inferences.map((item) => el("tr", { "data-request-id": item.requestId, onclick: () => showDetail(item.requestId) },
    el("td", {}, time(item.createdAt)), el("td", { class: "truncate", title: item.prompt }, item.prompt),
    el("td", { class: "status status-" + item.status }, item.status), el("td", {}, `${item.commits} / ${item.quorum}`),
    el("td", { class: "truncate", title: text(item.output) }, item.output === null ? "" : item.output))));
}

async function showDetail(requestId) {
  state.selected = requestId;
  $("#detail-section").hidden = false;
  $("#detail-id").textContent = requestId;
  await refreshDetail();
}
$("#detail-close").addEventListener("click", () => { state.selected = null; $("#detail-section").hidden = true; });

function table(headers, rows) {
  return el("table", {}, el("thead", {}, el("tr", {}, ...headers.map((h) => el("th", {}, h)))),
    el("tbody", {}, ...rows.map((row) => el("tr", {}, ...row.map((cell) => el("td", {}, cell))))));
}

async function refreshDetail() {
  if (!state.selected) return;
  let detail;
  try { detail = await api("/api/inferences/" + encodeURIComponent(state.selected)); } catch (error) {
    $("#detail").replaceChildren(el("p", {}, error.message)); return;
  }
  const consensus = detail.consensus;
  const facts = el("dl", {},
    el("dt", {}, "prompt"), el("dd", {}, detail.request.prompt),
    el("dt", {}, "status"), el("dd", { id: "detail-status", class: "status-" + detail.status }, detail.status + (detail.statusReason ? ` (${detail.statusReason})` : "")),
    el("dt", {}, "sampling"), el("dd", { id: "detail-sampling" }, `temperature ${detail.request.temperature}, at most ${detail.request.maxTokens} tokens`),
    el("dt", {}, "security frame"), el("dd", { id: "detail-frame" }, `quorum ${detail.request.quorum}, ${detail.request.maxTimeMs / 1000} s, agreement ${detail.request.secPercentage}, distance ${detail.request.secDistance} bits`),
    el("dt", {}, "models"), el("dd", {}, detail.request.acceptedModels.join(", ") + " · embedded with " + detail.request.embeddingModel),
    el("dt", {}, "consensus"), el("dd", { id: "detail-consensus" }, consensus ? (consensus.succeeded ? "reached: " + consensus.selectedOutput : "failed: " + consensus.failureReason) : "not yet"),
    el("dt", {}, "joint hash"), el("dd", { class: "mono" }, consensus ? text(consensus.validInferenceJointHash) : ""));
  const sections = [facts];
  const chain = detail.chain;
  if (chain) {
    sections.push(el("h3", {}, "On chain"), el("dl", {},
      el("dt", {}, "chain"), el("dd", {}, `evm:${chain.chainId}, inbox ${chain.inbox}, request ${chain.id}`),
      el("dt", {}, "confirmed"), el("dd", { id: "detail-chain-confirmed" }, chain.confirmed ? `yes, block ${chain.blockNumber}` : chain.watched ? "not yet found on chain" : "no: this node does not watch that chain (taken from peers)"),
      el("dt", {}, "reward"), el("dd", {}, chain.reward === undefined ? "" : chain.reward + " wei"),
      el("dt", {}, "fulfilled"), el("dd", { id: "detail-chain-fulfilled" }, chain.fulfilment
        ? `block ${chain.fulfilment.blockNumber}, transaction ${short(chain.fulfilment.transactionHash)} by ${chain.fulfilment.reporter}, ${chain.fulfilment.signers} signatures`
        : "not yet")));
    sections.push(el("h3", {}, `Attestations (${detail.chainAttestations.length})`), table(["wallet", "output hash", "signed"],
      detail.chainAttestations.map((a) => [a.address, short(a.outputHash), time(a.createdAt)])));
    sections.push(el("h3", {}, `Our transactions (${chain.transactions.length})`), table(["transaction", "kind", "nonce", "state", "gas", "block"],
      chain.transactions.map((t) => [short(t.transactionHash), t.kind, t.nonce, t.state, text(t.gasUsed), text(t.blockNumber)])));
  }
  sections.push(el("h3", {}, "Our results"), table(["inference", "model", "output", "tokens", "tok/s"],
    detail.ownResults.map((r) => [short(r.inferenceId), r.model, r.output === null ? "failed: " + r.failureReason : r.output, text(r.tokenCount), r.tokensPerSecond ? r.tokensPerSecond.toFixed(1) : ""])));
  sections.push(el("h3", {}, `Commits (${detail.commits.length})`), table(["node", "inference", "bEmbeddingHash", "received"],
    detail.commits.map((c) => [short(c.synthientId), short(c.inferenceId), short(c.bEmbeddingHash), time(c.receivedAt)])));
  sections.push(el("h3", {}, `Reveals (${detail.reveals.length})`), table(["node", "inference", "output", "rejected"],
    detail.reveals.map((r) => [short(r.synthientId), short(r.inferenceId), r.output, text(r.rejectReason)])));
  sections.push(el("h3", {}, `Rejections (${detail.rejections.length})`), table(["node", "inference", "reason"],
    detail.rejections.map((r) => [short(r.synthientId), short(r.inferenceId), r.reason])));
  sections.push(el("h3", {}, `Other nodes' results (${detail.peerResults.length})`), table(["node", "joint hash", "selected output", "agrees with us"],
    detail.peerResults.map((p) => [short(p.verifiedBy), short(p.validInferenceJointHash), p.selectedOutput, p.agreesWithUs === null ? "" : p.agreesWithUs ? "yes" : "no"])));
  $("#detail").replaceChildren(...sections);
  drawHeatmap(consensus);
  drawEmbeddingMap(detail.embeddingMap, consensus);
}

function drawHeatmap(consensus) {
  const target = $("#heatmap");
  if (!consensus || !consensus.distances.length) { target.replaceChildren(el("p", {}, "no accepted reveals yet")); return; }
  const n = consensus.distances.length, cell = Math.max(18, Math.min(48, Math.floor(280 / n))), pad = 90;
  const max = Math.max(1, ...consensus.distances.flat());
  const picture = svg("svg", { width: pad + n * cell, height: pad + n * cell, role: "img", "aria-label": "distance heat map" });
  consensus.accepted.forEach((member, i) => {
    picture.append(svg("text", { x: pad - 4, y: pad + i * cell + cell / 2 + 4, "text-anchor": "end", fill: "#8b98a5", "font-size": 10 }, short(member.synthientId)));
    picture.append(svg("text", { x: pad + i * cell + cell / 2, y: pad - 6, "text-anchor": "start", fill: "#8b98a5", "font-size": 10,
      transform: `rotate(-45 ${pad + i * cell + cell / 2} ${pad - 6})` }, short(member.synthientId)));
  });
  consensus.distances.forEach((row, i) => row.forEach((distance, j) => {
    const shade = Math.round(255 * (1 - distance / max));
    const rect = svg("rect", { x: pad + j * cell, y: pad + i * cell, width: cell - 1, height: cell - 1, fill: `rgb(${255 - shade}, ${90 + shade * 0.4}, ${shade})`, class: "heat-cell" },
      svg("title", {}, `${distance} bits`));
    picture.append(rect);
    if (cell >= 24) picture.append(svg("text", { x: pad + j * cell + cell / 2, y: pad + i * cell + cell / 2 + 4, "text-anchor": "middle", "font-size": 10, fill: "#000" }, distance));
  }));
  target.replaceChildren(picture);
}

function drawEmbeddingMap(points, consensus) {
  const target = $("#embedding-map");
  if (!points || !points.length) { target.replaceChildren(el("p", {}, "no accepted reveals yet")); return; }
  const size = 300, margin = 30;
  const xs = points.map((p) => p.x), ys = points.map((p) => p.y);
  const span = Math.max(1e-9, Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys));
  const cx = (Math.max(...xs) + Math.min(...xs)) / 2, cy = (Math.max(...ys) + Math.min(...ys)) / 2;
  const scale = (size - 2 * margin) / span;
  const picture = svg("svg", { width: size, height: size, role: "img", "aria-label": "embedding map", id: "embedding-svg" });
  picture.append(svg("rect", { x: 0, y: 0, width: size, height: size, fill: "#0f1419" }));
  if (consensus && consensus.succeeded) {
    const radius = Math.max(8, consensus.distances.length ? (Math.max(...points.filter((p) => p.valid).map((p) => Math.hypot((p.x - cx) * scale, (p.y - cy) * scale))) + 14) : 20);
    picture.append(svg("circle", { cx: size / 2, cy: size / 2, r: Math.min(radius, size / 2 - 2), fill: "none", stroke: "#3fb950", "stroke-dasharray": "4 3", class: "cluster" }));
  }
  const labelsAt = new Map();  // identical outputs land on one spot: stack their labels
  for (const point of points) {
    const x = size / 2 + (point.x - cx) * scale, y = size / 2 + (point.y - cy) * scale;
    const spot = `${Math.round(x)},${Math.round(y)}`;
    const stacked = labelsAt.get(spot) || 0;
    labelsAt.set(spot, stacked + 1);
    const dot = svg("circle", { cx: x, cy: y, r: 7, fill: point.valid ? "#3fb950" : "none", stroke: point.valid ? "#3fb950" : "#f85149", "stroke-width": 2,
      class: "reveal" + (point.valid ? " valid" : "") + (point.selected ? " selected" : "") }, svg("title", {}, `${point.synthientId}\n${point.inferenceId}`));
    picture.append(dot);
    if (point.selected) picture.append(svg("circle", { cx: x, cy: y, r: 12, fill: "none", stroke: "#4fb3ff", "stroke-width": 2 }));
    picture.append(svg("text", { x: x + 14, y: y - 10 + stacked * 12, fill: "#8b98a5", "font-size": 10 }, short(point.synthientId)));
  }
  target.replaceChildren(picture);
}

// --- Workers ------------------------------------------------------------------------------
async function refreshWorkers() {
  const workers = await api("/api/workers");
  const blocks = [];
  const group = (kind, models, list) => {
    for (const model of models) {
      const mine = list.filter((w) => w.model === model);
      const live = mine.filter((w) => !w.retiring && w.state !== "failed").length;
      const count = el("input", { type: "number", min: 0, max: 16, value: live, "aria-label": `${model} workers`, "data-model": model,
        title: kind === "llm" ? "requests at once (a GGUF model decodes them together in one batch)" : "texts embedded at once" });
      const apply = el("button", { type: "button", onclick: async () => {
        try { await api(`/api/workers/${kind}/${encodeURIComponent(model)}`, { method: "PUT", body: JSON.stringify({ count: Number(count.value) }) }); refreshWorkers(); }
        catch (error) { alert(error.message); }
      } }, "scale");
      blocks.push(el("div", { class: "scale" }, el("b", {}, `${kind === "llm" ? "LLM" : "embedding"} ${model}`), count, apply));
      for (const worker of mine) {
        blocks.push(el("div", { class: "worker" }, el("span", {}, `#${worker.id} ${worker.retiring ? "(retiring)" : ""}`),
          el("span", { class: "status-" + worker.state }, worker.state), el("progress", { max: 1, value: worker.progress, title: worker.failure || "" })));
      }
    }
  };
  group("llm", workers.llmModels, workers.llm);
  group("embedding", workers.embeddingModels, workers.embedding);
  if (!blocks.length) blocks.push(el("p", {}, "this node runs no models"));
  $("#workers").replaceChildren(...blocks);
}

// --- NIP-90 jobs (a node run with --dvm) ---------------------------------------------------
async function refreshDVMJobs() {
  const { pubkey, jobs } = await api("/api/dvm/jobs?limit=50");
  $("#dvm-section").hidden = !pubkey;
  if (!pubkey) return;
  $("#dvm-pubkey").textContent = "as " + short(pubkey);
  $("#dvm-pubkey").title = pubkey;
  $("#dvm-jobs tbody").replaceChildren(...jobs.map((job) => el("tr", { "data-job-id": job.jobId },
    el("td", {}, time(job.receivedAt)), el("td", { class: "mono", title: job.customer }, short(job.customer)),
    el("td", { class: "truncate", title: job.input }, job.input),
    el("td", { class: "status status-" + job.status, title: text(job.reason) }, job.status + (job.reason ? ": " + job.reason : "")),
    el("td", { class: "mono" }, job.requestId ? el("a", { href: "#", onclick: (event) => { event.preventDefault(); showDetail(job.requestId); } }, short(job.requestId)) : ""),
    el("td", { class: "mono", title: text(job.resultEventId) }, short(job.resultEventId) + (job.resultEventId && !job.answeredHere ? " (another node)" : "")))));
}

// --- Peers, packets, logs -----------------------------------------------------------------
async function refreshPeers() {
  const { peers } = await api("/api/peers?limit=100");
  $("#peers tbody").replaceChildren(...peers.map((p) => el("tr", { class: p.equivocations > 0 ? "equivocating" : "" },
    el("td", { class: "mono", title: p.synthientId }, short(p.synthientId),
      ...(p.equivocations > 0 ? [el("span", { class: "badge bad", title: "signed two different commits or reveals for one request" }, ` equivocated on ${p.equivocations}`)] : [])),
    el("td", {}, p.seenOn.join(", ")), el("td", {}, time(p.lastSeen)), el("td", {}, p.totalWorkers), el("td", {}, p.totalTokens),
    el("td", { class: "mono" }, p.chainIdentities.map((c) => `${c.chain}: ${c.address}`).join(", ")))));
}

function packetRow(p) {
  return el("tr", {}, el("td", {}, time(p.receivedTime)), el("td", {}, p.type), el("td", { class: "mono", title: p.synthientId }, p.own ? "this node" : short(p.synthientId)),
    el("td", {}, p.deliveredThrough || "sent"), el("td", { class: "mono" }, short(p.requestId)));
}
async function loadPackets() {
  const query = state.packetType ? "&type=" + encodeURIComponent(state.packetType) : "";
  const { packets } = await api("/api/packets?limit=100" + query);
  state.packets = packets;
  $("#packets tbody").replaceChildren(...packets.map(packetRow));
}
$("#packet-type").addEventListener("change", (event) => { state.packetType = event.target.value; loadPackets(); });

function logLine(entry) {
  return el("div", { class: "level-" + entry.level }, `${time(entry.time)} ${entry.level.padEnd(8)} ${entry.label}: ${entry.message}`);
}
async function loadLogs() {
  const { logs } = await api("/api/logs?limit=200&level=info");
  $("#logs").replaceChildren(...logs.map(logLine));
  $("#logs").scrollTop = $("#logs").scrollHeight;
}

// --- Live updates ---------------------------------------------------------------------------
async function refreshAll() {
  if (state.refreshing) return;
  state.refreshing = true;
  try { await Promise.all([refreshStats(), refreshInferences(), refreshWorkers(), refreshPeers(), refreshDVMJobs(), refreshDetail()]); }
  catch (error) { console.warn(error); }
  finally { state.refreshing = false; }
}

function connect() {
  const events = new EventSource("/api/events");
  events.onopen = () => { $("#live").textContent = "live"; $("#live").className = "badge ok"; };
  events.onerror = () => { $("#live").textContent = "reconnecting"; $("#live").className = "badge warn"; };
  events.addEventListener("tick", refreshAll);
  events.addEventListener("packet", (event) => {
    const packet = JSON.parse(event.data);
    if (!state.packetType || packet.type === state.packetType) {
      const body = $("#packets tbody");
      body.prepend(packetRow(packet));
      while (body.children.length > 100) body.lastChild.remove();
    }
    if (state.selected && packet.requestId === state.selected) refreshDetail();
  });
  events.addEventListener("log", (event) => {
    const entry = JSON.parse(event.data);
    if (["trace", "debug"].includes(entry.level)) return;
    const logs = $("#logs");
    logs.append(logLine(entry));
    while (logs.children.length > 300) logs.firstChild.remove();
    logs.scrollTop = logs.scrollHeight;
  });
}

refreshAll();
loadPackets();
loadLogs();
connect();
