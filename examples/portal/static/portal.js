/*
 * Your Portal's frontend: the vendor guide's Step 3, plus Meta's session-info listener.
 *
 * Embedded Signup hands the page two things, in either order: the WA_EMBEDDED_SIGNUP message event (the ids)
 * and the FB.login() callback (the single-use code, valid 30 s). We wait for both, then post them together
 * to the backend. When the page asked for no session info, no event comes: after the callback we wait
 * EVENT_GRACE_MS for one, then send what we have.
 *
 * Telnyx's 200 is "accepted", not "number ready": the backend answers `pending` with the signup session's id,
 * and we poll our own backend (GET page.statusUrl?session=<id>, every page.pollMs) until the session ends. The
 * backend learns the end from Telnyx's signed whatsapp.waba_added webhook (Status polling is its fallback); we
 * show the stages as they pass, then "WhatsApp connected: number ready" or the failure with the guide's advice.
 */
(function () {
  'use strict';

  var EVENT_GRACE_MS = 1500;
  var page = JSON.parse(document.getElementById('portal-config').textContent);
  var pending = null;

  function byId(id) { return document.getElementById(id); }

  function setStatus(text) { byId('status').textContent = text; }

  // Step 1 of the guide: FB.init() once the SDK has loaded.
  if (page.callInit) {
    window.fbAsyncInit = function () {
      FB.init({
        appId: page.appId,
        autoLogAppEvents: true,
        xfbml: true,
        version: page.graphVersion
      });
    };
  }

  // Meta's session logging message event listener, with its origin check.
  window.addEventListener('message', function (event) {
    if (!event.origin.endsWith('facebook.com')) return;
    try {
      var data = JSON.parse(event.data);
      if (data.type === 'WA_EMBEDDED_SIGNUP') {
        console.log('message event: ', data);
        if (pending) {
          pending.event = data;
          maybeSend();
        }
      }
    } catch (e) {
      console.log('message event: ', event.data);
    }
  });

  function maybeSend() {
    if (!pending || pending.sent || !pending.callbackSeen) return;
    if (pending.event === undefined) {
      if (!pending.graceTimer) {
        setStatus('Signup finished; waiting briefly for Meta\u2019s session info\u2026');
        pending.graceTimer = setTimeout(send, EVENT_GRACE_MS);
      }
      return;
    }
    send();
  }

  function send() {
    var flow = pending;
    if (!flow || flow.sent) return;
    flow.sent = true;
    clearTimeout(flow.graceTimer);
    setStatus('Connecting your WhatsApp account\u2026');
    fetch(page.connectUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        code: flow.code,
        event: flow.event === undefined ? null : flow.event,
        customer_id: byId('customer_id').value
      })
    })
      .then(function (response) { return response.json(); })
      .then(function (body) {
        showResult(body, flow);
        if (body.pending && body.session_id) {
          showSession({ status: 'PENDING', state: null, stages: [], meta_events: [] });
          pollSession(body, flow);
        }
      })
      .catch(function (e) { showResult({ connected: false, error: { message: String(e) } }, flow); })
      .then(function () { byId('connect').disabled = false; });
  }

  // Our own backend says how the session stands: no WebSocket, a poll every page.pollMs.
  function pollSession(registered, flow) {
    var url = page.statusUrl + '?session=' + encodeURIComponent(registered.session_id);
    function again() {
      if (flow !== pending) return; // a new signup started: stop this one's polling
      fetch(url)
        .then(function (response) { return response.json(); })
        .then(function (session) {
          showSession(session);
          if (session.status === 'SUCCESS' || session.status === 'FAILURE') {
            showOutcome(registered, session, flow);
          } else {
            setTimeout(again, page.pollMs);
          }
        })
        .catch(function () { setTimeout(again, page.pollMs); });
    }
    setTimeout(again, page.pollMs);
  }

  function showSession(session) {
    byId('session').hidden = false;
    byId('session').setAttribute('data-status', session.status);
    byId('session-status').textContent = session.status === 'PENDING'
      ? 'pending' + (session.state ? ': ' + session.state : '')
        + (session.waiting_for_webhook ? ' (finished at Telnyx; waiting for its signed webhook)' : '')
      : session.status + (session.state ? ' at ' + session.state : '');
    var list = byId('session-stages');
    var stages = session.stages || [];
    var current = stages.indexOf(session.state);
    list.textContent = '';
    stages.forEach(function (stage, index) {
      var item = document.createElement('li');
      item.textContent = stage;
      item.setAttribute('data-stage', stage);
      var done = session.status === 'SUCCESS' || index < current;
      var mark = done ? 'done' : (index === current ? (session.status === 'FAILURE' ? 'failed' : 'current') : 'todo');
      item.className = mark;
      list.appendChild(item);
    });
    byId('learned-via').textContent = session.learned_via === 'webhook'
      ? 'the signed whatsapp.waba_added webhook'
      : (session.learned_via === 'polling' ? 'polling Telnyx’s status (no webhook arrived)' : 'not yet');
    byId('meta-events').textContent = (session.meta_events || []).join(', ') || 'none yet';
  }

  function showOutcome(registered, session, flow) {
    var connected = session.status === 'SUCCESS';
    var body = connected ? Object.assign({}, registered, { connected: true, pending: false })
      : { connected: false, error: session.error || { message: (session.errors || []).join('; ') } };
    showResult(body, flow);
    if (connected) {
      byId('result-title').textContent = 'WhatsApp connected: number ready';
    } else {
      byId('result-ids').hidden = false; // the WABA is registered; its provisioning failed
    }
  }

  function showResult(body, flow) {
    setStatus('');
    byId('result').hidden = false;
    var error = body.error || {};
    var cancelled = error.error === 'SignupCancelled';
    var registered = body.connected || body.pending;
    byId('result').className = 'panel result ' + (body.connected ? 'ok' : (body.pending ? 'pending' : 'failed'));
    byId('result-title').textContent = body.connected ? 'WhatsApp connected'
      : (body.pending ? 'Connecting WhatsApp: pending'
        : (cancelled ? 'Signup cancelled' : 'WhatsApp not connected'));
    byId('result-ids').hidden = !registered;
    if (body.pending) {
      byId('waba-id').textContent = body.waba_id;
      byId('phone-number-id').textContent = body.phone_number_id;
      byId('registration-status').textContent = body.status;
      byId('resolved-via').textContent = body.resolved_via === 'event' ? 'the signup event' : 'Meta Graph';
      byId('result-message').textContent = 'Telnyx accepted the registration and is setting up your number.';
    } else if (body.connected) {
      byId('waba-id').textContent = body.waba_id;
      byId('phone-number-id').textContent = body.phone_number_id;
      byId('registration-status').textContent = body.status;
      byId('resolved-via').textContent = body.resolved_via === 'event' ? 'the signup event' : 'Meta Graph';
      byId('result-message').textContent = 'Your number is ready for messaging through Telnyx.';
    } else {
      byId('result-message').textContent = error.message || 'Something went wrong.';
    }
    byId('guidance').hidden = !error.guidance;
    byId('guidance').textContent = error.guidance || '';
    byId('troubleshooting').hidden = !error.troubleshooting;
    byId('troubleshooting').textContent = error.troubleshooting
      ? 'Troubleshooting: \u201c' + error.troubleshooting + '\u201d' : '';
    byId('live-view-link').href = page.liveViewUrl;
    byId('details-text').textContent = JSON.stringify({
      event: flow.event === undefined ? '(no message event)' : flow.event,
      callback: flow.callbackStatus,
      backend: body.connected ? 'connected' : (body.pending ? 'pending' : (error.error || 'error'))
    }, null, 2);
  }

  // Step 2 of the guide: launch the embedded signup flow.
  function launchWhatsAppSignup() {
    if (typeof FB === 'undefined') {
      setStatus('The Facebook SDK is not loaded yet; try again in a moment.');
      console.error('Facebook SDK not loaded: FB is undefined.');
      return;
    }
    pending = { event: undefined, code: null, callbackSeen: false, sent: false, callbackStatus: null };
    byId('result').hidden = true;
    byId('session').hidden = true;
    setStatus('Complete the signup in Meta\u2019s window\u2026');
    var flow = pending;
    FB.login(function (response) {
      flow.callbackSeen = true;
      flow.callbackStatus = response && response.status;
      if (response && response.authResponse) {
        var code = response.authResponse.code;
        flow.code = code || null; // a token-style response has no code: the backend will say why
      } else {
        console.error('User cancelled login or did not fully authorize.');
      }
      maybeSend();
    }, page.loginOptions);
  }

  byId('connect').addEventListener('click', launchWhatsAppSignup);
})();
