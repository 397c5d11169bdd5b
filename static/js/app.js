/* csr_hub: small progressive enhancements. Every page works without this file.
   Loaded with `defer` from base.html; CSP allows only same-origin scripts, so nothing inline. */
(function () {
  'use strict';

  var root = document.documentElement;
  root.classList.add('js');

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
