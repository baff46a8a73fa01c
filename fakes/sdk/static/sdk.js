/*
 * Fake Facebook JavaScript SDK (whatsapp-signup-harness). Load it in place of
 * https://connect.facebook.net/en_US/sdk.js; it talks only to the fake that served it.
 *
 * Implements what a WhatsApp Embedded Signup page uses: FB.init, FB.login (config_id + code response),
 * FB.getLoginStatus and a do-nothing FB.AppEvents. Everything it refuses, or suspects will not work, is
 * reported with console.error("[fake FB SDK] ...") saying why.
 *
 * Delivery of the WA_EMBEDDED_SIGNUP message event: Meta's popup runs on www.facebook.com and its
 * postMessage reaches the page with event.origin "https://www.facebook.com". Our popup runs on the fake's
 * own origin (http://127.0.0.1:PORT), so a real postMessage would fail the partner's origin check
 * (`event.origin.endsWith('facebook.com')`, or `=== 'https://www.facebook.com'`). And being cross-origin
 * with the page, the popup cannot call into this script either. So:
 *   1. the popup posts an internal message {fakeFbSdk: ...} to this window (targetOrigin = the page's origin,
 *      so nothing else can read it);
 *   2. this script accepts it only from its own popup and the fake's origin, stops it there
 *      (a capturing listener + stopImmediatePropagation, so page listeners do not see it), and
 *   3. dispatches `new MessageEvent('message', {data: JSON.stringify(event), origin: 'https://www.facebook.com'})`
 *      on this window, then calls the FB.login callback.
 * The synthetic event never leaves the browser tab. See docs/browser.md.
 */
(function () {
  'use strict';

  var TAG = '[fake FB SDK]';
  var FACEBOOK_ORIGIN = 'https://www.facebook.com';
  var NO_AUTH = { authResponse: null, status: 'unknown' };
  var TS_FB_LOGIN = "Troubleshooting: \"FB.login() doesn't open the embedded signup dialog\"";
  var TS_NO_WABA = 'Troubleshooting: "The embedded signup completes but no WABA ID is returned"';

  if (window.FB && window.FB.__fake) {
    return; // loaded twice: keep the first copy and its pending logins
  }

  function error() {
    var args = Array.prototype.slice.call(arguments);
    console.error.apply(console, [TAG].concat(args));
  }

  function thisScript() {
    if (document.currentScript && document.currentScript.src) {
      return document.currentScript.src;
    }
    var scripts = document.getElementsByTagName('script');
    for (var i = scripts.length - 1; i >= 0; i--) {
      if (/\/sdk(\/debug)?\.js(\?|#|$)/.test(scripts[i].src)) {
        return scripts[i].src;
      }
    }
    return '';
  }

  // Where the fake lives: the script's URL minus /sdk.js (or /en_US/sdk.js); keeps a /_t/<tenant> prefix.
  var src = thisScript();
  var base = '';
  var sdkOrigin = '';
  if (src) {
    var url = new URL(src, document.baseURI);
    sdkOrigin = url.origin;
    base = url.origin + url.pathname.replace(/\/(?:[a-z]{2}_[A-Z]{2}\/)?sdk(?:\/debug)?\.js$/, '');
  }

  var state = {
    initialized: false,
    appId: '',
    version: '',
    app: null, // null: not known yet; {config_ids: [...]} or {unknown: reason}
    logins: {},
    counter: 0
  };

  function call(callback, value) {
    if (typeof callback !== 'function') {
      return;
    }
    try {
      callback(value);
    } catch (e) {
      setTimeout(function () { throw e; }); // report it like a normal uncaught error, after our work is done
    }
  }

  function loadApp() {
    if (!base || !state.appId) {
      return;
    }
    var appId = state.appId;
    fetch(base + '/__sdk/app?app_id=' + encodeURIComponent(appId))
      .then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, body: body }; });
      })
      .then(function (answer) {
        if (state.appId !== appId) {
          return;
        }
        if (answer.ok) {
          state.app = answer.body;
          return;
        }
        var reason = (answer.body.harness_error || {}).message || 'unknown app';
        state.app = { unknown: reason };
        error('FB.init(): ' + reason + '. FB.login() will not open the dialog. ' + TS_FB_LOGIN);
      })
      .catch(function () {
        state.app = null; // cannot tell: the dialog itself will check
      });
  }

  function init(params) {
    params = params || {};
    if (!base) {
      error('cannot tell where this script was loaded from; load it with <script src=".../en_US/sdk.js">');
    }
    if (!params.appId) {
      error('FB.init() needs appId (your Meta App ID).');
    }
    if (!params.version) {
      error("FB.init() needs version (the guide uses 'v19.0').");
    } else if (!/^v\d+\.\d+$/.test(String(params.version))) {
      error('FB.init(): version ' + JSON.stringify(params.version) + " does not look like 'v19.0'.");
    }
    state.appId = params.appId ? String(params.appId) : '';
    state.version = params.version ? String(params.version) : '';
    state.app = null;
    state.initialized = true;
    loadApp();
  }

  // Mistakes that keep the dialog shut (the guide: "FB.login() doesn't open the embedded signup dialog").
  function blockingProblem(options) {
    if (!state.appId) {
      return 'FB.init() was called without appId, so there is no app to sign up to.';
    }
    if (state.app && state.app.unknown) {
      return 'app ' + state.appId + ': ' + state.app.unknown + '.';
    }
    if (!options.config_id) {
      return 'FB.login() was called without config_id: Embedded Signup needs the config_id of a WhatsApp '
        + 'Business Configuration of your app.';
    }
    if (state.app && state.app.config_ids && state.app.config_ids.indexOf(String(options.config_id)) < 0) {
      return 'config_id ' + options.config_id + ' is not a configuration of app ' + state.appId
        + ' (its config ids: ' + (state.app.config_ids.join(', ') || 'none') + ').';
    }
    return null;
  }

  // Mistakes Meta lets through: the signup completes, but the page misses the code or the session info.
  function silentProblems(options) {
    var found = [];
    var types = String(options.response_type || '').split(/[\s,]+/);
    var extras = options.extras || {};
    if (types.indexOf('code') < 0) {
      found.push('response_type is ' + JSON.stringify(options.response_type) + ", not 'code': the signup "
        + 'completes but the callback carries no authorization code, so your backend gets no WABA id. '
        + TS_NO_WABA);
    }
    if (options.override_default_response_type !== true) {
      found.push('override_default_response_type is not true: Meta keeps its default (token) response, so the '
        + 'callback carries no authorization code and your backend gets no WABA id. ' + TS_NO_WABA);
    }
    if (extras.sessionInfoVersion === undefined && extras.version !== 'v3' && extras.version !== 'v4') {
      found.push("extras.sessionInfoVersion is missing: no WA_EMBEDDED_SIGNUP message event (session info) "
        + "will be posted, so the page never learns the WABA id and phone number id; add "
        + "extras: {sessionInfoVersion: '3'}.");
    }
    return found;
  }

  function dialogUrl(options, loginId) {
    var query = new URLSearchParams();
    query.set('app_id', state.appId);
    query.set('config_id', String(options.config_id));
    if (options.response_type !== undefined) {
      query.set('response_type', String(options.response_type));
    }
    if (options.override_default_response_type !== undefined) {
      query.set('override_default_response_type', options.override_default_response_type === true ? 'true' : 'false');
    }
    if (options.extras !== undefined) {
      query.set('extras', JSON.stringify(options.extras));
    }
    query.set('display', 'popup');
    query.set('sdk_version', state.version);
    query.set('login_id', loginId);
    query.set('origin', window.location.origin);
    return base + '/__sdk/dialog?' + query.toString();
  }

  function finish(login, result) {
    if (login.done) {
      return;
    }
    login.done = true;
    clearInterval(login.watcher);
    delete state.logins[login.id];
    if (result && result.event) {
      var init = { data: JSON.stringify(result.event), origin: FACEBOOK_ORIGIN };
      var message;
      try {
        message = new MessageEvent('message', Object.assign({ source: login.popup }, init));
      } catch (e) {
        message = new MessageEvent('message', init);
      }
      window.dispatchEvent(message); // listeners run now, before the callback below
    }
    call(login.callback, (result && result.login_response) || NO_AUTH);
  }

  // The person closed the popup before it ended: Meta reports CANCEL at the screen they left.
  function closedEarly(login) {
    if (login.done) {
      return;
    }
    if (login.failed) {
      finish(login, null);
      return;
    }
    fetch(base + '/__sdk/complete', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        dialog: login.dialog,
        ending: { outcome: 'CANCEL', current_step: login.step || 'BUSINESS_ACCOUNT_SELECTION' }
      })
    })
      .then(function (response) { return response.json(); })
      .then(function (result) { finish(login, result.harness_error ? null : result); })
      .catch(function () { finish(login, null); });
  }

  function watch(login) {
    login.watcher = setInterval(function () {
      if (login.done) {
        clearInterval(login.watcher);
      } else if (login.popup.closed) {
        clearInterval(login.watcher);
        setTimeout(function () { closedEarly(login); }, 300); // let a last message from the popup land first
      }
    }, 250);
  }

  function login(callback, options) {
    if (!state.initialized) {
      error('FB.login() called before FB.init(): call FB.init({appId, version}) in window.fbAsyncInit first. '
        + 'No dialog opens. ' + TS_FB_LOGIN);
      return;
    }
    if (typeof callback !== 'function') {
      error('FB.login() expects a callback function as its first argument.');
    }
    options = options || {};
    var blocked = blockingProblem(options);
    if (blocked) {
      error(blocked + ' No dialog opens. ' + TS_FB_LOGIN);
      return;
    }
    silentProblems(options).forEach(function (problem) { error(problem); });

    var loginId = 'l' + Date.now().toString(36) + '_' + (++state.counter);
    var url = dialogUrl(options, loginId);
    var popup = window.open(url, 'fake_fb_signup_' + loginId,
      'width=620,height=780,menubar=no,toolbar=no,location=yes,resizable=yes,scrollbars=yes');
    if (!popup) {
      error('the browser blocked the signup popup: call FB.login() directly from a click handler.');
      call(callback, NO_AUTH);
      return;
    }
    var params = {};
    new URL(url).searchParams.forEach(function (value, key) { params[key] = value; });
    var entry = { id: loginId, callback: callback, popup: popup, dialog: params, step: null, done: false, failed: false };
    state.logins[loginId] = entry;
    watch(entry);
  }

  // Internal messages from our popup (see the header comment). Capturing, so it runs before page listeners.
  window.addEventListener('message', function (event) {
    var data = event.data;
    if (!data || typeof data !== 'object' || typeof data.fakeFbSdk !== 'string') {
      return;
    }
    var entry = state.logins[data.loginId];
    if (!entry || event.origin !== sdkOrigin || event.source !== entry.popup) {
      return;
    }
    event.stopImmediatePropagation();
    if (data.fakeFbSdk === 'step') {
      entry.step = data.step;
    } else if (data.fakeFbSdk === 'dialog-error') {
      entry.failed = true;
      error(data.message + ' ' + TS_FB_LOGIN);
    } else if (data.fakeFbSdk === 'result') {
      finish(entry, data.result);
    }
  }, true);

  function noop() {}

  window.FB = {
    // Not in Meta's SDK: lets tests and tools tell the fake apart and see what FB.init() learned.
    __fake: {
      base: base,
      app: function () { return state.app; }
    },
    init: init,
    login: login,
    getLoginStatus: function (callback) {
      // Embedded Signup keeps no Facebook session in the page: always "unknown".
      setTimeout(function () { call(callback, NO_AUTH); }, 0);
    },
    getAuthResponse: function () { return null; },
    logout: function (callback) { setTimeout(function () { call(callback, NO_AUTH); }, 0); },
    AppEvents: {
      EventNames: {},
      ParameterNames: {},
      logEvent: noop,
      logPageView: noop,
      activateApp: noop,
      setUserID: noop,
      clearUserID: noop
    },
    Event: { subscribe: noop, unsubscribe: noop },
    XFBML: { parse: noop }
  };

  // Like the real SDK: call the page's fbAsyncInit once the SDK is ready.
  if (typeof window.fbAsyncInit === 'function' && !window.fbAsyncInit.hasRun) {
    window.fbAsyncInit.hasRun = true;
    window.fbAsyncInit();
  }
})();
