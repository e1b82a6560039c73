// Starts Swagger UI on the hub's own contract; no inline script so a strict CSP can apply.
window.addEventListener('load', () => {
  const root = document.getElementById('swagger-ui');
  window.ui = SwaggerUIBundle({ url: root.dataset.specUrl, dom_id: '#swagger-ui', deepLinking: true });
});
