// Module-worker entry: wires messages to the dispatcher. The engine starts loading at once; requests
// that arrive meanwhile wait for it inside the dispatcher (the handler is set synchronously, so no
// message is lost during start-up).
import { Dispatcher } from './dispatcher.mjs';
import { createEngine } from './engine-api.mjs';

const dispatcher = new Dispatcher(createEngine(), (message, transfer) => self.postMessage(message, transfer ?? []));
self.onmessage = (event) => {
  dispatcher.handle(event.data);
};
