/* csr_hub: small progressive enhancements. Every page works without this file.
   Loaded with `defer` from base.html; CSP allows only same-origin scripts, so nothing inline. */
(function () {
  'use strict';

  var root = document.documentElement;
  root.classList.add('js');

  /* ---- Long report tables: folded on a phone, open on a wide screen -------------------------
     <details data-open-wide> is closed in the markup (a phone gets the chart and a summary line); where the
     screen is wide enough for the table as a table, it opens. Without JS it stays folded, one tap away. */
  if (window.matchMedia && window.matchMedia('(min-width: 40em)').matches) {
    Array.prototype.forEach.call(document.querySelectorAll('details[data-open-wide]'), function (d) { d.open = true; });
  }

  /* ---- Confirm before destructive actions --------------------------------------------
     <button data-confirm="Withdraw this offer?">, <a data-confirm="…">, or <form data-confirm="…">.
     Without JS the action simply goes ahead (the server still checks everything). */
  document.addEventListener('click', function (event) {
    var el = event.target.closest ? event.target.closest('a[data-confirm], button[data-confirm], input[data-confirm]') : null;
    if (!el) { return; }
    if (!window.confirm(el.getAttribute('data-confirm'))) {
      event.preventDefault();
      event.stopImmediatePropagation();
      return;
    }
    // The submitter already confirmed: do not ask again for its form's own data-confirm.
    var form = el.form || (el.closest && el.closest('form'));
    if (form && form.hasAttribute('data-confirm')) { form.setAttribute('data-confirmed', '1'); }
  }, true);

  document.addEventListener('submit', function (event) {
    var form = event.target;
    if (!form || !form.hasAttribute || !form.hasAttribute('data-confirm')) { return; }
    if (form.getAttribute('data-confirmed') === '1') {
      form.removeAttribute('data-confirmed');
      return;
    }
    if (!window.confirm(form.getAttribute('data-confirm'))) {
      event.preventDefault();
    }
  }, true);

  /* ---- Phone navigation toggle ---------------------------------------------------------
     base.html ships <button class="nav-toggle" aria-controls="site-nav" aria-expanded="false" hidden>.
     Without JS the button stays hidden and the nav is always shown (it wraps). */
  var toggle = document.querySelector('.nav-toggle');
  var nav = toggle && document.getElementById(toggle.getAttribute('aria-controls'));
  if (toggle && nav) {
    toggle.hidden = false;
    var setOpen = function (open) {
      toggle.setAttribute('aria-expanded', open ? 'true' : 'false');
      nav.classList.toggle('is-open', open);
    };
    setOpen(false);
    toggle.addEventListener('click', function () {
      setOpen(toggle.getAttribute('aria-expanded') !== 'true');
    });
    document.addEventListener('keydown', function (event) {
      if ((event.key === 'Escape' || event.key === 'Esc') && toggle.getAttribute('aria-expanded') === 'true') {
        setOpen(false);
        toggle.focus();
      }
    });
  }
})();

(function () {
  'use strict';

  /* ---- Error summary: move the focus to it (GOV.UK pattern), so a screen reader reads it first
     and a phone shows it at once. The links inside move the focus to their field. */
  var summary = document.querySelector('.form-errors');
  if (summary) {
    summary.focus();
    summary.addEventListener('click', function (event) {
      var link = event.target.closest ? event.target.closest('a[href^="#"]') : null;
      if (!link) { return; }
      var target = document.getElementById(link.getAttribute('href').slice(1));
      if (!target) { return; }
      var input = target.matches('input, select, textarea') ? target : target.querySelector('input, select, textarea');
      if (input) {
        event.preventDefault();
        input.focus();
        (target.closest('.field') || target).scrollIntoView({ block: 'center' });
      }
    });
  }

  /* ---- Character counters on fields with a limit: "12 of 200 characters". Polite, and only
     announced near the limit, so typing is not drowned in announcements. */
  var lang = document.documentElement.lang;
  var counterText = function (n, max) {
    return lang === 'th' ? (n + ' / ' + max + ' ตัวอักษร') : (n + ' of ' + max + ' characters');
  };
  Array.prototype.forEach.call(document.querySelectorAll('textarea[maxlength], input[maxlength][data-counter]'), function (el) {
    var max = parseInt(el.getAttribute('maxlength'), 10);
    if (!max || !el.id) { return; }
    var out = document.createElement('span');
    out.className = 'counter';
    out.id = el.id + '-counter';
    out.setAttribute('aria-live', 'polite');
    el.insertAdjacentElement('afterend', out);
    var described = (el.getAttribute('aria-describedby') || '').split(' ').filter(Boolean);
    described.push(out.id);
    el.setAttribute('aria-describedby', described.join(' '));
    var update = function () {
      var n = el.value.length;
      out.textContent = counterText(n, max);
      out.classList.toggle('counter-near', n > max * 0.9);
      out.setAttribute('aria-live', n > max * 0.9 ? 'polite' : 'off');
    };
    el.addEventListener('input', update);
    update();
  });

  /* ---- Provinces by region: "the whole region" ticks or clears its provinces; the count follows. */
  Array.prototype.forEach.call(document.querySelectorAll('details.region'), function (box) {
    var all = box.querySelector('[data-region-all]');
    var items = box.querySelectorAll('ul[data-region] input[type=checkbox]');
    var count = box.querySelector('[data-region-count]');
    var sync = function () {
      var n = Array.prototype.filter.call(items, function (i) { return i.checked; }).length;
      if (all) { all.checked = n === items.length; all.indeterminate = n > 0 && n < items.length; }
      if (count) {
        count.textContent = lang === 'th' ? ('เลือก ' + n + ' จาก ' + items.length) : (n + ' of ' + items.length + ' chosen');
      }
    };
    if (all) {
      all.addEventListener('change', function () {
        Array.prototype.forEach.call(items, function (i) { i.checked = all.checked; });
        sync();
      });
    }
    Array.prototype.forEach.call(items, function (i) { i.addEventListener('change', sync); });
    sync();
  });
})();

(function () {
  'use strict';
  /* Tables the server did not label cell by cell: copy each column's header into data-label, which the
     phone layout shows above the cell. */
  Array.prototype.forEach.call(document.querySelectorAll('.table-wrap table'), function (table) {
    var heads = Array.prototype.map.call(table.querySelectorAll('thead th'), function (th) { return th.textContent.trim(); });
    if (!heads.length) { return; }
    Array.prototype.forEach.call(table.querySelectorAll('tbody tr'), function (tr) {
      Array.prototype.forEach.call(tr.children, function (cell, i) {
        if (!cell.hasAttribute('data-label') && heads[i] && !cell.hasAttribute('colspan')) { cell.setAttribute('data-label', heads[i]); }
      });
    });
  });
})();

(function () {
  'use strict';
  /* A refused form came back with its errors (and the 409/422 status) in answer to a POST: put the page's
     own address in the history instead, so a reload shows the page and never posts the form again. */
  var el = document.querySelector('[data-replace-url]');
  if (el && window.history && window.history.replaceState) {
    window.history.replaceState(null, '', el.getAttribute('data-replace-url'));
  }
})();
