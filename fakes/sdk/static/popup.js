/*
 * The fake Embedded Signup popup (whatsapp-signup-harness).
 *
 * A person walks the screens (Continue / Cancel, and a choice of ending on the last one); when the tenant has
 * an armed signup plan (GET /__sdk/plan), the popup plays it by itself. Either way the end is one
 * POST /__sdk/complete, which runs fakes.graph.signup.complete_signup in the fake's world and answers with the
 * message event and the FB.login() response. The popup hands both to the fake SDK in the opener with an
 * internal postMessage aimed at the opener's origin only; the SDK turns it into the
 * origin-"https://www.facebook.com" message event and the callback (see the header of sdk.js).
 */
(function () {
  'use strict';

  var TAG = '[fake FB SDK popup]';
  var AUTOPLAY_STEP_MS = 300;
  var CLOSE_AFTER_MS = 800;
  var config = JSON.parse(document.getElementById('fake-sdk-dialog').textContent);
  var steps = config.steps;
  var current = 0;
  var ended = false;

  function byId(id) { return document.getElementById(id); }

  // Internal message to the SDK in the opener; targetOrigin keeps it (and the code in it) from anyone else.
  function tellOpener(kind, payload) {
    if (!window.opener || !config.origin || !config.login_id) {
      return false;
    }
    var message = Object.assign({ fakeFbSdk: kind, loginId: config.login_id }, payload || {});
    try {
      window.opener.postMessage(message, config.origin);
      return true;
    } catch (e) {
      console.error(TAG, 'cannot reach the page that opened this dialog (origin ' + config.origin + ')');
      return false;
    }
  }

  if (config.problems.length) {
    tellOpener('dialog-error', { message: 'the dialog refused to open: ' + config.problems.join('; ') + '.' });
    return;
  }

  var form = byId('flow');
  var next = byId('next');
  var cancel = byId('cancel');
  var outcome = byId('outcome');

  function show(index) {
    current = index;
    var name = steps[index];
    document.querySelectorAll('.step').forEach(function (section) {
      section.hidden = section.getAttribute('data-step') !== name;
    });
    document.querySelectorAll('[data-progress]').forEach(function (item, i) {
      item.className = i < index ? 'done' : (i === index ? 'current' : '');
    });
    next.textContent = index === steps.length - 1 ? 'Finish' : 'Continue';
    tellOpener('step', { step: name });
  }

  function value(id) {
    var element = byId(id);
    return element ? element.value.trim() : '';
  }

  function personEnding(choice) {
    var ending = { business_name: value('business_name') || 'Acme Corp' };
    if (value('display_phone_number')) {
      ending.display_phone_number = value('display_phone_number');
    }
    if (choice === 'only_waba') {
      ending.outcome = 'FINISH_ONLY_WABA';
    } else if (choice === 'error') {
      ending.outcome = 'ERROR';
    } else {
      ending.outcome = config.finish_outcome;
    }
    return ending;
  }

  function say(text, kind) {
    form.hidden = true;
    outcome.hidden = false;
    outcome.className = 'outcome ' + (kind || '');
    outcome.textContent = text;
  }

  function end(ending) {
    if (ended) {
      return;
    }
    ended = true;
    next.disabled = true;
    cancel.disabled = true;
    say('Working\u2026');
    fetch(config.complete_url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ dialog: config.options, ending: ending })
    })
      .then(function (response) { return response.json(); })
      .then(function (result) {
        if (result.harness_error) {
          throw new Error(result.harness_error.message);
        }
        var delivered = tellOpener('result', {
          result: { event: result.event, login_response: result.login_response }
        });
        var finished = result.login_response && result.login_response.status === 'connected';
        if (!delivered) {
          say('Done, but no page opened this dialog: nothing was delivered.', 'warning');
          return;
        }
        say(finished ? 'You\u2019re all set. Returning to the app\u2026' : 'Signup ended. Returning to the app\u2026',
          finished ? 'success' : 'warning');
        setTimeout(function () { window.close(); }, CLOSE_AFTER_MS);
      })
      .catch(function (e) {
        say('The fake could not complete the signup: ' + e.message, 'error');
        tellOpener('dialog-error', { message: 'the signup could not complete: ' + e.message });
      });
  }

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    if (ended) {
      return;
    }
    if (steps[current] === 'PHONE_NUMBER_VERIFICATION' && !/^\d{6}$/.test(value('verification_code'))) {
      byId('code_error').hidden = false;
      return;
    }
    if (current < steps.length - 1) {
      show(current + 1);
      return;
    }
    var choice = form.querySelector('input[name="ending"]:checked');
    end(personEnding(choice ? choice.value : 'finish'));
  });

  cancel.addEventListener('click', function () {
    end({ outcome: 'CANCEL', current_step: steps[current] });
  });

  // An armed plan: walk the screens up to where it ends, then end with exactly its fields.
  function play(plan) {
    var stop = plan.outcome === 'CANCEL' ? steps.indexOf(plan.current_step || 'PHONE_NUMBER_VERIFICATION') : -1;
    if (stop < 0) {
      stop = steps.length - 1;
    }
    var banner = byId('autoplay');
    banner.hidden = false;
    banner.textContent = 'Playing the armed signup plan: ' + (plan.outcome || 'FINISH') + '.';
    next.disabled = true;
    cancel.disabled = true;
    (function walk() {
      if (current < stop) {
        setTimeout(function () { show(current + 1); walk(); }, AUTOPLAY_STEP_MS);
      } else {
        setTimeout(function () { end(plan); }, AUTOPLAY_STEP_MS);
      }
    })();
  }

  show(0);
  fetch(config.plan_url)
    .then(function (response) { return response.json(); })
    .then(function (body) {
      if (body.plan) {
        play(body.plan);
      }
    })
    .catch(function () { /* no plan: a person drives */ });
})();
