// The playground page: one person per tab, talking to the real bot through the built-in Bot API.
// Every change on the server bumps a version; /api/wait answers when it moves and the page redraws.
"use strict";

const $ = (id) => document.getElementById(id);
const ROLE_ICON = { citizen: "🙂", officer: "👮", agency: "🏢", admin: "🛡️" };
const MONAS = [-6.1754, 106.8272];

const view = {
  state: null,
  personId: Number(sessionStorage.getItem("person")) || null,
  chatId: Number(sessionStorage.getItem("chat")) || null,
  generation: null,
  replyTo: null,
  lastForceReply: null,
  samples: new Set(),
};

async function api(path, body) {
  const options = body === undefined ? {} : body instanceof FormData
    ? { method: "POST", body }
    : { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) };
  const response = await fetch(path, options);
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    toast(data.error || `error ${response.status}`);
    throw new Error(data.error || String(response.status));
  }
  return data;
}

function toast(text) {
  const box = $("toast");
  box.textContent = text;
  box.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { box.hidden = true; }, 3500);
}

function showAlert(text) {
  $("alert-text").textContent = text;
  $("alert-dialog").showModal();
}

function person() {
  return view.state && view.state.people.find((p) => p.id === view.personId);
}

function choosePerson(id) {
  view.personId = id;
  sessionStorage.setItem("person", String(id));
  const chats = person().chats;
  if (!chats.some((c) => c.id === view.chatId)) chooseChat(chats[0].id, false);
  view.replyTo = null;
  drawHeader();
  drawChats();
  refreshChat();
}

function chooseChat(id, refresh = true) {
  view.chatId = id;
  view.replyTo = null;
  view.lastForceReply = null;
  sessionStorage.setItem("chat", String(id));
  drawChats();
  if (refresh) refreshChat();
}

function drawHeader() {
  const nav = $("people");
  nav.replaceChildren(...view.state.people.map((p) => {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = `${ROLE_ICON[p.role] || ""} ${p.name}`;
    button.dataset.person = String(p.id);
    button.dataset.role = p.role;
    button.setAttribute("aria-pressed", String(p.id === view.personId));
    button.onclick = () => choosePerson(p.id);
    return button;
  }));
  const clock = view.state.clock;
  const now = new Date(clock.now);
  const ahead = clock.offset_hours ? ` (+${formatOffset(clock.offset_hours)})` : "";
  $("clock").textContent = `🕐 ${now.toLocaleString("id-ID", {
    timeZone: "Asia/Jakarta", weekday: "short", day: "numeric", month: "short",
    hour: "2-digit", minute: "2-digit" })}${ahead}`;
  $("staff").hidden = !person() || person().role === "citizen";
}

function formatOffset(hours) {
  const days = Math.floor(hours / 24);
  const rest = Math.round(hours - days * 24);
  return [days ? `${days}d` : "", rest ? `${rest}h` : ""].join(" ").trim();
}

function drawChats() {
  const me = person();
  $("chats").replaceChildren(...me.chats.map((c) => {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "chat-item";
    button.textContent = c.type === "private" ? "🤖 WargaLapor" : `👥 ${c.title}`;
    button.dataset.chat = String(c.id);
    button.setAttribute("aria-current", String(c.id === view.chatId));
    button.onclick = () => chooseChat(c.id);
    return button;
  }));
  const chat = me.chats.find((c) => c.id === view.chatId);
  $("chat-title").textContent = chat ? `${chat.type === "private" ? "WargaLapor" : chat.title} — as ${me.name}` : "";
}

async function refreshState() {
  view.state = await api("/api/state");
  if (view.generation !== null && view.generation !== view.state.generation) {
    drawMessages.drawn = false;  // the same people come back; the chats start again
    toast("The playground started over");
  }
  view.generation = view.state.generation;
  if (!person()) view.personId = view.state.people[0].id;
  const chats = person().chats;
  if (!chats.some((c) => c.id === view.chatId)) view.chatId = chats[0].id;
  sessionStorage.setItem("person", String(view.personId));
  sessionStorage.setItem("chat", String(view.chatId));
  drawHeader();
  drawChats();
}

async function refreshChat() {
  const wanted = view.chatId;
  const chat = await api(`/api/chat/${wanted}?as=${view.personId}`);
  if (wanted !== view.chatId) return;
  drawKeyboard(chat.keyboard);  // first: the messages' scroll is measured with it in place
  drawMessages(chat);
}

function element(tag, className, html) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (html !== undefined) node.innerHTML = html;  // server-escaped Telegram formatting only
  return node;
}

function textDiv(className, text) {
  const node = element("div", className);
  node.textContent = text;
  return node;
}

function drawMessages(chat) {
  const box = $("messages");
  const nearBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 80;
  const items = [];
  const messages = chat.messages;
  const isPrivate = chat.chat_id > 0;
  if (isPrivate && messages.length === 0) {
    const start = element("button", "start");
    start.type = "button";
    start.textContent = "START";
    start.onclick = () => act({ action: "text", text: "/start" });
    box.replaceChildren(start);
    return;
  }
  for (let i = 0; i < messages.length; i++) {
    const message = messages[i];
    const album = [message];
    while (message.media_group_id && i + 1 < messages.length
           && messages[i + 1].media_group_id === message.media_group_id) {
      album.push(messages[++i]);
    }
    items.push(bubble(album, isPrivate));
  }
  box.replaceChildren(...items);
  const last = messages[messages.length - 1];
  if (last && last.force_reply && last.from.is_bot && view.lastForceReply !== last.id) {
    view.lastForceReply = last.id;
    setReply(last);
  }
  const stick = nearBottom || !drawMessages.drawn;
  if (stick) {
    box.scrollTop = box.scrollHeight;
    box.querySelectorAll("img").forEach((img) => {
      img.addEventListener("load", () => { box.scrollTop = box.scrollHeight; }, { once: true });
    });
  }
  drawMessages.drawn = true;
}

function bubble(album, isPrivate) {
  const first = album[0];
  const mine = first.from.id === view.personId;
  const row = element("div", mine ? "row out" : "row in");
  row.dataset.message = String(first.id);
  const card = element("div", "bubble");
  if (!mine && !isPrivate) card.append(textDiv("who", first.from.name));  // groups name senders
  if (first.reply_to) {
    const quote = element("div", "quote");
    quote.textContent = `↩ ${first.reply_to.snippet || "message"}`;
    quote.onclick = () => {
      const target = document.querySelector(`[data-message="${first.reply_to.id}"]`);
      if (target) target.scrollIntoView({ block: "center" });
    };
    card.append(quote);
  }
  const photos = album.filter((m) => m.photo);
  if (photos.length) {
    const holder = photos.length > 1 ? element("div", "album") : card;
    for (const m of photos) {
      const img = element("img", "photo");
      img.src = m.photo;
      img.alt = "photo";
      holder.append(img);
    }
    if (holder !== card) card.append(holder);
  }
  for (const m of album) {
    if (m.location) {
      const place = element("div", "location");
      place.textContent = `📍 ${m.venue ? m.venue + " — " : ""}${m.location.lat.toFixed(5)}, ${m.location.lon.toFixed(5)}`;
      card.append(place);
    }
    if (m.document) card.append(textDiv("", `📄 ${m.document}`));
    if (!m.html && !m.photo && !m.location && !m.document && m.kind !== "text") {
      card.append(textDiv("", `[${m.kind}]`));
    }
    if (m.html) {
      const text = element("div", "text", m.html);
      text.querySelectorAll(".command").forEach((c) => {
        c.onclick = () => act({ action: "text", text: c.textContent });
      });
      card.append(text);
    }
  }
  const meta = element("div", "meta");
  const reply = element("button", "reply-btn");
  reply.type = "button";
  reply.textContent = "↩ reply";
  reply.onclick = () => setReply(first);
  meta.append(reply, first.edited ? " edited " : " ");
  meta.append(new Date(first.date * 1000).toLocaleTimeString("id-ID", { hour: "2-digit", minute: "2-digit" }));
  card.append(meta);
  row.append(card);
  const keyboardMessage = album.find((m) => m.inline_keyboard);
  if (keyboardMessage) row.append(inlineKeyboard(keyboardMessage));
  return row;
}

function inlineKeyboard(message) {
  const box = element("div", "inline-kb");
  for (const line of message.inline_keyboard) {
    const row = element("div", "kb-row");
    for (const b of line) {
      const button = element("button", "");
      button.type = "button";
      button.textContent = b.text;
      button.onclick = async () => {
        if (b.url) { window.open(b.url, "_blank", "noopener"); return; }
        const result = await api("/api/act", {
          as: view.personId, chat: view.chatId, action: "press", message_id: message.id, data: b.data });
        if (result.answer && result.answer.text) {
          if (result.answer.alert) showAlert(result.answer.text); else toast(result.answer.text);
        }
      };
      row.append(button);
    }
    box.append(row);
  }
  return box;
}

function drawKeyboard(keyboard) {
  const box = $("keyboard");
  if (!keyboard) { box.replaceChildren(); $("text").placeholder = "Message"; return; }
  $("text").placeholder = keyboard.placeholder || "Message";
  box.replaceChildren(...keyboard.rows.map((line) => {
    const row = element("div", "kb-row");
    for (const b of line) {
      const button = element("button", "");
      button.type = "button";
      button.textContent = b.text;
      button.onclick = () => {
        if (b.location) openMap();
        else if (b.contact) act({ action: "contact" });
        else act({ action: "text", text: b.text });
      };
      row.append(button);
    }
    return row;
  }));
}

function setReply(message) {
  view.replyTo = message.id;
  $("replying").hidden = false;
  const snippet = message.html ? element("div", "", message.html).textContent : (message.photo ? "📷 photo" : "message");
  $("replying").querySelector("span").textContent = `↩ Replying to: ${snippet.slice(0, 80)}`;
  $("text").focus();
}

function clearReply() {
  view.replyTo = null;
  $("replying").hidden = true;
}

async function act(body) {
  const payload = { as: view.personId, chat: view.chatId, ...body };
  if (view.replyTo && body.action === "text") payload.reply_to = view.replyTo;
  clearReply();
  await api("/api/act", payload);
}

// -- the map picker -----------------------------------------------------------------------------

let map = null;
let marker = null;
let tiles = null;

async function openMap() {
  $("map-dialog").showModal();
  if (!map) {
    map = L.map("map").setView(MONAS, 15);
    const areas = await api("/api/areas");
    L.geoJSON(areas, { style: { color: "#517da2", weight: 1, fillColor: "#dfe9df", fillOpacity: 0.6 } })
      .bindTooltip((layer) => layer.feature.properties.name).addTo(map);
    marker = L.marker(MONAS, { draggable: true }).addTo(map);
    map.on("click", (event) => marker.setLatLng(event.latlng));
    $("tiles-on").checked = view.state.tiles || localStorage.getItem("tiles") === "on";
    setTiles();
  }
  setTimeout(() => map.invalidateSize(), 50);
}

function setTiles() {
  const on = $("tiles-on").checked;
  localStorage.setItem("tiles", on ? "on" : "off");
  if (on && !tiles) {
    tiles = L.tileLayer("https://tile.openstreetmap.org/{z}/{x}/{y}.png", {
      maxZoom: 19, attribution: "&copy; OpenStreetMap contributors" }).addTo(map);
  } else if (!on && tiles) {
    map.removeLayer(tiles);
    tiles = null;
  }
}

async function sendLocation() {
  const where = marker.getLatLng();
  $("map-dialog").close();
  await act({ action: "location", lat: where.lat, lon: where.lng });
}

// -- photos -------------------------------------------------------------------------------------

function openPhotos() {
  view.samples.clear();
  $("photo-files").value = "";
  $("caption").value = "";
  $("samples").replaceChildren(...view.state.samples.map((name) => {
    const button = element("button", "");
    button.type = "button";
    button.dataset.sample = name;
    button.title = name;
    button.setAttribute("aria-pressed", "false");
    const img = element("img", "");
    img.src = `/static/samples/${name}.jpg`;
    img.alt = name;
    button.append(img);
    button.onclick = () => {
      if (view.samples.has(name)) view.samples.delete(name); else view.samples.add(name);
      button.setAttribute("aria-pressed", String(view.samples.has(name)));
    };
    return button;
  }));
  $("photo-dialog").showModal();
}

async function sendPhotos() {
  const form = new FormData();
  form.append("as", String(view.personId));
  form.append("chat", String(view.chatId));
  form.append("caption", $("caption").value);
  if (view.replyTo) form.append("reply_to", String(view.replyTo));
  for (const file of $("photo-files").files) form.append("photo", file);
  for (const name of view.samples) form.append("sample", name);
  if (!$("photo-files").files.length && !view.samples.size) { toast("Pick a photo first"); return; }
  $("photo-dialog").close();
  clearReply();
  await api("/api/photo", form);
}

// -- wiring -------------------------------------------------------------------------------------

function wire() {
  $("composer").onsubmit = async (event) => {
    event.preventDefault();
    const text = $("text").value;
    if (!text.trim()) return;
    $("text").value = "";
    await act({ action: "text", text });
  };
  $("attach").onclick = () => { $("attach-menu").hidden = !$("attach-menu").hidden; };
  $("attach-location").onclick = () => { $("attach-menu").hidden = true; openMap(); };
  $("attach-photo").onclick = () => { $("attach-menu").hidden = true; openPhotos(); };
  $("send-location").onclick = sendLocation;
  $("tiles-on").onchange = setTiles;
  $("send-photos").onclick = sendPhotos;
  $("cancel-reply").onclick = clearReply;
  $("add-citizen").onclick = async () => {
    const made = await api("/api/citizen", {});
    await refreshState();
    choosePerson(made.id);
  };
  $("reset").onclick = async () => {
    if (!confirm("Start over? Everything done in the playground is forgotten.")) return;
    await api("/api/reset", {});
  };
  document.querySelectorAll("#clock-box [data-step]").forEach((button) => {
    button.onclick = () => api("/api/clock", { step: button.dataset.step });
  });
  $("staff").onclick = async () => {
    const link = await api("/api/staff-link", { as: view.personId });
    window.open(link.url, "_blank");
  };
}

async function follow() {
  let version = 0;
  for (;;) {
    try {
      const changed = await api(`/api/wait?version=${version}`);
      if (changed.version !== version || changed.generation !== view.generation) {
        version = changed.version;
        await refreshState();
        await refreshChat();
      }
    } catch (error) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}

wire();
refreshState().then(refreshChat).then(follow);
