/*
 * The promotions desk chat widget: plain JavaScript on socket.io-client, no build step.
 *
 * Embed on any page (it loads its stylesheet and the socket.io client from the
 * folder it was loaded from):
 *
 *   <div id="chat-widget"></div>
 *   <script src="https://BOT-HOST/webhooks/webchat/static/chat-widget.js"
 *           data-init-payload="/greet"></script>
 *
 * It talks to Rasa's socket.io channel (credentials.yml `socketio:`): `session_request`
 * with the session id kept in localStorage (so a reload continues the conversation),
 * `user_uttered` out, `bot_uttered` in. Rasa has no history endpoint, so the widget
 * keeps its own copy of the transcript in localStorage and redraws it on load.
 *
 * DOM contract (tests rely on it): #chat-widget[data-session-id], #chat-log,
 * .msg.user / .msg.bot (.msg.bot.agent for a human agent), .msg-buttons button,
 * #chat-input, #chat-send.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  var scriptBase = script && script.src ? script.src.replace(/[^/]*(\?.*)?$/, "") : "";
  var MAX_ENTRIES = 300;

  var DEFAULTS = {
    element: "#chat-widget",
    // The Rasa server; by default the one that served this script.
    socketUrl: script && script.src ? new URL(script.src).origin : window.location.origin,
    socketPath: "/socket.io/",
    // WebSocket first: Rasa's socket.io server sends no CORS headers, so long-polling
    // works only when the page and the bot share an origin.
    transports: ["websocket", "polling"],
    initPayload: "",
    title: "Xiaomi UK promotions desk",
    placeholder: "Type a message…",
    sendLabel: "Send",
    resetLabel: "New chat",
    agentLabel: "Agent",
    missingClientNotice:
      "The chat cannot start: the socket.io client is missing on the server. Run `make web` there, then reload this page.",
    offlineNotice: "Connecting to the assistant…",
    typingLabel: "The assistant is typing",
  };

  // The widget's own labels in the other languages the assistant writes (issue #11);
  // English is DEFAULTS. Chosen by the script's data-lang, else the page's <html lang>.
  var LABELS = {
    es: {
      title: "Atención de promociones de Xiaomi",
      placeholder: "Escribe un mensaje…",
      sendLabel: "Enviar",
      resetLabel: "Nuevo chat",
      agentLabel: "Agente",
      missingClientNotice: "El chat no puede iniciarse: falta el cliente socket.io en el servidor. Ejecuta `make web` allí y vuelve a cargar esta página.",
      offlineNotice: "Conectando con el asistente…",
      typingLabel: "El asistente está escribiendo",
    },
    fr: {
      title: "Service promotions Xiaomi",
      placeholder: "Écrivez un message…",
      sendLabel: "Envoyer",
      resetLabel: "Nouvelle conversation",
      agentLabel: "Conseiller",
      missingClientNotice: "Le chat ne peut pas démarrer : le client socket.io est absent du serveur. Lancez `make web` sur le serveur, puis rechargez cette page.",
      offlineNotice: "Connexion à l'assistant…",
      typingLabel: "L'assistant est en train d'écrire",
    },
    it: {
      title: "Assistenza promozioni Xiaomi",
      placeholder: "Scrivi un messaggio…",
      sendLabel: "Invia",
      resetLabel: "Nuova chat",
      agentLabel: "Operatore",
      missingClientNotice: "La chat non può partire: sul server manca il client socket.io. Esegui `make web` sul server, poi ricarica questa pagina.",
      offlineNotice: "Connessione all'assistente in corso…",
      typingLabel: "L'assistente sta scrivendo",
    },
  };

  // --- storage: localStorage when allowed, memory otherwise (private modes) ----------
  function makeStore(prefix) {
    var memory = {};
    function get(key) {
      try {
        return window.localStorage.getItem(prefix + key);
      } catch (e) {
        return Object.prototype.hasOwnProperty.call(memory, key) ? memory[key] : null;
      }
    }
    function set(key, value) {
      try {
        if (value === null) window.localStorage.removeItem(prefix + key);
        else window.localStorage.setItem(prefix + key, value);
      } catch (e) {
        if (value === null) delete memory[key];
        else memory[key] = value;
      }
    }
    return { get: get, set: set };
  }

  // --- text rendering: escaped by construction (text nodes only) ----------------------
  var URL_OR_BOLD = /(\*\*[^*]+\*\*|https?:\/\/[^\s<>"']+[^\s<>"'.,;:!?)])/g;

  function appendInline(parent, line) {
    var last = 0;
    line.replace(URL_OR_BOLD, function (match, _group, offset) {
      if (offset > last) parent.appendChild(document.createTextNode(line.slice(last, offset)));
      if (match.indexOf("**") === 0) {
        var strong = document.createElement("strong");
        strong.textContent = match.slice(2, -2);
        parent.appendChild(strong);
      } else {
        var link = document.createElement("a");
        link.href = match;
        link.textContent = match;
        link.target = "_blank";
        link.rel = "noopener noreferrer";
        parent.appendChild(link);
      }
      last = offset + match.length;
      return match;
    });
    if (last < line.length) parent.appendChild(document.createTextNode(line.slice(last)));
  }

  function renderText(text) {
    var node = document.createElement("div");
    node.className = "msg-text";
    String(text)
      .split("\n")
      .forEach(function (line, index) {
        if (index > 0) node.appendChild(document.createElement("br"));
        appendInline(node, line);
      });
    return node;
  }

  function safeUrl(value) {
    try {
      var url = new URL(value, window.location.href);
      return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
    } catch (e) {
      return null;
    }
  }

  // --- what the server sends → one transcript entry -----------------------------------
  function asButtons(list) {
    return (Array.isArray(list) ? list : [])
      .filter(function (b) {
        return b && (b.title || b.payload);
      })
      .map(function (b) {
        return {
          title: String(b.title || b.payload),
          payload: b.payload != null ? String(b.payload) : String(b.title),
          url: b.url || (b.type === "web_url" ? b.payload : null) || null,
        };
      });
  }

  function normalize(data, agentLabel) {
    if (typeof data === "string") data = { text: data };
    if (!data || typeof data !== "object") return null;
    var custom = data.custom && typeof data.custom === "object" ? data.custom : {};
    var meta = data.metadata && typeof data.metadata === "object" ? data.metadata : {};
    var customMeta = custom.metadata && typeof custom.metadata === "object" ? custom.metadata : {};
    // A human agent's reply says so in its metadata or custom payload (handover).
    var from = data.from || meta.from || custom.from || customMeta.from;
    var agentName = data.agent_name || meta.agent_name || custom.agent_name || customMeta.agent_name;
    var entry = {
      from: "bot",
      text: data.text != null ? String(data.text) : custom.text != null ? String(custom.text) : "",
      buttons: asButtons(data.buttons || custom.buttons),
      quick: false,
      image: data.image || custom.image || null,
      agent: from === "agent" ? String(agentName || agentLabel) : null,
    };
    var quick = asButtons(data.quick_replies || custom.quick_replies);
    if (quick.length) {
      entry.buttons = entry.buttons.concat(quick);
      entry.quick = true;
    }
    var attachment = data.attachment;
    if (attachment && attachment.payload) {
      if (attachment.type === "image") entry.image = attachment.payload.src || null;
      var elements = attachment.payload.elements;
      if (elements && !Array.isArray(elements)) elements = [elements];
      (elements || []).forEach(function (element) {
        var lines = [element.title, element.subtitle].filter(Boolean).join("\n");
        entry.text = entry.text ? entry.text + "\n" + lines : lines;
        if (element.image_url && !entry.image) entry.image = element.image_url;
        entry.buttons = entry.buttons.concat(asButtons(element.buttons));
      });
    }
    if (entry.image) entry.image = safeUrl(entry.image);
    if (!entry.text && !entry.image && !entry.buttons.length) return null;
    return entry;
  }

  // --- the widget ---------------------------------------------------------------------
  function ChatWidget(root, options) {
    this.root = root;
    this.options = options;
    this.store = makeStore("chat-widget:" + options.socketUrl + ":");
    this.transcript = this.loadTranscript();
    this.sessionId = this.store.get("session");
    this.pending = [];
    this.typingTimer = null;
    this.build();
    this.renderAll();
  }

  ChatWidget.prototype.loadTranscript = function () {
    try {
      var saved = JSON.parse(this.store.get("transcript") || "[]");
      return Array.isArray(saved) ? saved : [];
    } catch (e) {
      return [];
    }
  };

  ChatWidget.prototype.saveTranscript = function () {
    if (this.transcript.length > MAX_ENTRIES) {
      this.transcript = this.transcript.slice(-MAX_ENTRIES);
    }
    this.store.set("transcript", JSON.stringify(this.transcript));
  };

  ChatWidget.prototype.build = function () {
    var self = this;
    var o = this.options;
    this.root.classList.add("chat-widget");
    this.root.textContent = "";

    var header = document.createElement("div");
    header.className = "chat-header";
    var title = document.createElement("span");
    title.className = "chat-title";
    title.textContent = o.title;
    var reset = document.createElement("button");
    reset.type = "button";
    reset.className = "chat-reset";
    reset.textContent = o.resetLabel;
    reset.addEventListener("click", function () {
      self.reset();
    });
    header.appendChild(title);
    header.appendChild(reset);

    this.notice = document.createElement("div");
    this.notice.className = "chat-notice";
    this.notice.setAttribute("role", "status");
    this.notice.hidden = true;

    this.log = document.createElement("div");
    this.log.id = "chat-log";
    this.log.className = "chat-log";
    this.log.setAttribute("role", "log");
    this.log.setAttribute("aria-live", "polite");

    this.typing = document.createElement("div");
    this.typing.className = "chat-typing";
    this.typing.setAttribute("aria-label", this.options.typingLabel);
    this.typing.hidden = true;
    for (var i = 0; i < 3; i++) this.typing.appendChild(document.createElement("span"));

    var form = document.createElement("form");
    form.className = "chat-form";
    this.input = document.createElement("input");
    this.input.id = "chat-input";
    this.input.type = "text";
    this.input.autocomplete = "off";
    this.input.maxLength = 2000;
    this.input.placeholder = o.placeholder;
    this.input.setAttribute("aria-label", o.placeholder);
    this.sendButton = document.createElement("button");
    this.sendButton.id = "chat-send";
    this.sendButton.type = "submit";
    this.sendButton.textContent = o.sendLabel;
    form.appendChild(this.input);
    form.appendChild(this.sendButton);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var text = self.input.value.trim();
      if (!text) return;
      self.input.value = "";
      self.send(text, text);
    });

    [header, this.notice, this.log, this.typing, form].forEach(function (node) {
      self.root.appendChild(node);
    });
  };

  ChatWidget.prototype.showNotice = function (text) {
    this.notice.textContent = text || "";
    this.notice.hidden = !text;
  };

  ChatWidget.prototype.setTyping = function (on) {
    var self = this;
    clearTimeout(this.typingTimer);
    this.typing.hidden = !on;
    // The server may answer with nothing (e.g. an action that says nothing).
    if (on) this.typingTimer = setTimeout(function () { self.setTyping(false); }, 30000);
    this.scrollDown();
  };

  ChatWidget.prototype.scrollDown = function () {
    this.log.scrollTop = this.log.scrollHeight;
  };

  // Buttons answer the latest question only: any later customer message spends them.
  ChatWidget.prototype.renderAll = function () {
    var self = this;
    this.log.textContent = "";
    var answered = false;
    var spent = [];
    for (var i = this.transcript.length - 1; i >= 0; i--) {
      spent[i] = answered;
      if (this.transcript[i].from === "user") answered = true;
    }
    this.transcript.forEach(function (entry, index) {
      self.log.appendChild(self.renderEntry(entry, spent[index]));
    });
    this.scrollDown();
  };

  ChatWidget.prototype.renderEntry = function (entry, spent) {
    var self = this;
    var node = document.createElement("div");
    node.className = "msg " + (entry.from === "user" ? "user" : "bot") + (entry.agent ? " agent" : "");
    if (entry.agent) {
      var author = document.createElement("div");
      author.className = "msg-author";
      author.textContent = entry.agent;
      node.appendChild(author);
    }
    if (entry.text) node.appendChild(renderText(entry.text));
    if (entry.image) {
      var image = document.createElement("img");
      image.className = "msg-image";
      image.src = entry.image;
      image.alt = "";
      image.addEventListener("load", function () { self.scrollDown(); });
      node.appendChild(image);
    }
    if (entry.buttons && entry.buttons.length) {
      var group = document.createElement("div");
      group.className = "msg-buttons" + (entry.quick ? " quick-replies" : "");
      entry.buttons.forEach(function (b) {
        var button = document.createElement("button");
        button.type = "button";
        button.textContent = b.title;
        button.disabled = !!spent;
        button.addEventListener("click", function () {
          var url = b.url && safeUrl(b.url);
          if (url) window.open(url, "_blank", "noopener");
          else self.send(b.payload, b.title);
        });
        group.appendChild(button);
      });
      node.appendChild(group);
    }
    return node;
  };

  ChatWidget.prototype.add = function (entry) {
    this.transcript.push(entry);
    this.saveTranscript();
    if (entry.from === "user") {
      this.log.querySelectorAll(".msg-buttons button").forEach(function (b) {
        b.disabled = true;
      });
    }
    this.log.appendChild(this.renderEntry(entry, false));
    this.scrollDown();
  };

  // Shows `shown` as the customer's message and sends `payload` (a button's /intent).
  ChatWidget.prototype.send = function (payload, shown) {
    this.add({ from: "user", text: shown });
    this.emitMessage(payload);
    this.setTyping(true);
  };

  ChatWidget.prototype.emitMessage = function (payload) {
    if (!this.socket || !this.confirmed) {
      this.pending.push(payload);
      return;
    }
    this.socket.emit("user_uttered", {
      message: payload,
      session_id: this.sessionId,
      metadata: { lang: this.options.lang },
    });
  };

  ChatWidget.prototype.receive = function (data) {
    var entry = normalize(data, this.options.agentLabel);
    this.setTyping(false);
    if (entry) this.add(entry);
  };

  ChatWidget.prototype.connect = function () {
    var self = this;
    if (typeof window.io !== "function") {
      this.showNotice(this.options.missingClientNotice);
      this.input.disabled = this.sendButton.disabled = true;
      return;
    }
    var socket = window.io(this.options.socketUrl, {
      path: this.options.socketPath,
      transports: this.options.transports,
      tryAllTransports: true,
    });
    this.socket = socket;
    // On every (re)connection: join the stored session again (a new socket id each time).
    socket.on("connect", function () {
      self.confirmed = false;
      socket.emit("session_request", { session_id: self.sessionId || null });
    });
    socket.on("session_confirm", function (data) {
      var id = typeof data === "string" ? data : data && data.session_id;
      if (!id) return;
      self.sessionId = id;
      self.confirmed = true;
      self.store.set("session", id);
      self.root.setAttribute("data-session-id", id);
      self.showNotice("");
      self.start();
    });
    socket.on("bot_uttered", function (data) {
      self.receive(data);
    });
    socket.on("connect_error", function () {
      self.showNotice(self.options.offlineNotice);
    });
    socket.on("disconnect", function () {
      self.confirmed = false;
      self.setTyping(false);
      self.showNotice(self.options.offlineNotice);
    });
  };

  // After the session is confirmed: greet a new conversation, deliver queued messages.
  ChatWidget.prototype.start = function () {
    if (this.options.initPayload && !this.transcript.length && !this.store.get("greeted")) {
      this.store.set("greeted", "1");
      this.socket.emit("user_uttered", {
        message: this.options.initPayload,
        session_id: this.sessionId,
        metadata: { lang: this.options.lang },
      });
      this.setTyping(true);
    }
    var queued = this.pending;
    this.pending = [];
    queued.forEach(this.emitMessage, this);
  };

  // A new conversation: forget the session and the transcript, reconnect for a fresh id.
  ChatWidget.prototype.reset = function () {
    ["session", "transcript", "greeted"].forEach(function (key) {
      this.store.set(key, null);
    }, this);
    this.transcript = [];
    this.sessionId = null;
    this.pending = [];
    this.root.removeAttribute("data-session-id");
    this.renderAll();
    if (this.socket) {
      this.socket.disconnect();
      this.socket.connect();
    }
  };

  // --- loading: stylesheet and socket.io client from this script's folder -------------
  function loadScript(src, done) {
    var tag = document.createElement("script");
    tag.src = src;
    tag.onload = function () { done(true); };
    tag.onerror = function () { done(false); };
    document.head.appendChild(tag);
  }

  function ensureStylesheet(href) {
    var links = document.querySelectorAll('link[rel="stylesheet"]');
    for (var i = 0; i < links.length; i++) {
      if (/chat-widget\.css(\?|$)/.test(links[i].href)) return;
    }
    var link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = href;
    document.head.appendChild(link);
  }

  function fromDataset(data) {
    var options = {};
    if (data.socketUrl) options.socketUrl = data.socketUrl;
    if (data.socketPath) options.socketPath = data.socketPath;
    if (data.initPayload) options.initPayload = data.initPayload;
    if (data.title) options.title = data.title;
    if (data.element) options.element = data.element;
    if (data.lang) options.lang = data.lang;
    return options;
  }

  // "es", "fr-FR" -> "es", "fr"; the page's language when the script names none.
  function languageOf(options) {
    var tag = options.lang || document.documentElement.lang || "en";
    return String(tag).toLowerCase().split(/[-_]/)[0];
  }

  function init(options) {
    var given = Object.assign({}, script ? fromDataset(script.dataset) : {}, options || {});
    var lang = languageOf(given);
    var o = Object.assign({}, DEFAULTS, LABELS[lang] || {}, given, { lang: lang });
    var root = typeof o.element === "string" ? document.querySelector(o.element) : o.element;
    if (!root) throw new Error("chat widget: no element " + o.element);
    if (root.id !== "chat-widget") root.id = "chat-widget";
    var widget = new ChatWidget(root, o);
    if (scriptBase) ensureStylesheet(scriptBase + "chat-widget.css");
    if (typeof window.io === "function" || !scriptBase) widget.connect();
    else loadScript(scriptBase + "socket.io.min.js", function () { widget.connect(); });
    window.ChatWidget.instance = widget;
    return widget;
  }

  window.ChatWidget = { init: init, normalize: normalize };

  // One <script> tag is enough: start on any page that has the container.
  if (script && script.dataset.manualInit === undefined) {
    var auto = function () {
      var selector = script.dataset.element || DEFAULTS.element;
      if (document.querySelector(selector)) init();
    };
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", auto);
    else auto();
  }
})();
