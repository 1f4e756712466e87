// The invitation link carries its code after "#", which the browser never sends to the server:
// copy it into the form (which is posted), then drop it from the address bar and the history.
const field = document.getElementById("id_invitation");
const code = decodeURIComponent(window.location.hash.slice(1));
if (field && code) {
  field.value = code;
  window.history.replaceState(null, "", window.location.pathname);
  document.getElementById("id_username")?.focus();
}
