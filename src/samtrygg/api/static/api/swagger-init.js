// Starts Swagger UI (drf-spectacular-sidecar's copy) for the schema named on the page. A static file, so
// the page runs under the strict Content-Security-Policy. "Try it out" uses the browser session, so the
// CSRF token goes along unless a key was given with "Authorize".
(function () {
  "use strict";
  var element = document.getElementById("swagger-ui");
  if (!element || typeof SwaggerUIBundle === "undefined") { return; }

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]*)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  window.samtryggSwagger = SwaggerUIBundle({
    url: element.getAttribute("data-schema-url"),
    dom_id: "#swagger-ui",
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    validatorUrl: null,
    requestInterceptor: function (request) {
      var token = csrfToken();
      if (token && !request.headers.Authorization) {
        request.headers["X-CSRFToken"] = token;
      }
      return request;
    }
  });
})();
