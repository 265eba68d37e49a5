// Fork Stream: starts (<Start><Stream>/<Siprec> with <Parameter>s) or stops (<Stop><Stream name>)
// a media stream of the call, then comes straight back through a <Redirect>: `next`, no outputs.
// `stream_action` is `start` or `stop`, lowercase, as Studio takes it (§2.13; the validator refuses "START");
// unset is `start`, anything else (a draft saved invalid) ends the execution with 81003 rather than guessing.
import type { TwimlNode } from '../types.ts';
import { callbackFor, callWait, parameterNodes, redirectBack, renderProps, requireCall } from './voice.ts';
import { stringProp, type WidgetHandler } from './widget.ts';

export const forkStream: WidgetHandler = {
  enter(env) {
    const refused = requireCall(env);
    if (refused) return refused;
    const props = renderProps(env, ['stream_name', 'stream_url', 'stream_connector']);
    if (!props.ok) return props.outcome;
    const { stream_name, stream_url, stream_connector } = props.values;
    const action = (stringProp(env, 'stream_action') ?? '').trim() || 'start';
    if (action !== 'start' && action !== 'stop') {
      return { type: 'error', code: 81003, message: `Fork Stream stream_action '${stringProp(env, 'stream_action')}' is not start or stop (lowercase, as Studio takes it)` };
    }
    const transport = stringProp(env, 'stream_transport_type') ?? 'websocket';
    let node: TwimlNode;
    if (action === 'stop') {
      const noun = transport === 'siprec' ? 'Siprec' : 'Stream';
      node = { verb: 'Stop', children: [{ verb: noun, attributes: stream_name ? { name: stream_name } : {} }] };
    } else {
      const parameters = parameterNodes(env, 'stream_parameters');
      if (!parameters.ok) return parameters.outcome;
      const attributes: Record<string, string> = {};
      if (stream_name) attributes.name = stream_name;
      const track = stringProp(env, 'stream_track');
      if (track) attributes.track = track;
      if (transport === 'siprec') {
        if (!stream_connector) return { type: 'error', code: 81003, message: 'Fork Stream (SIPREC) needs a connector name' };
        attributes.connectorName = stream_connector;
        node = { verb: 'Start', children: [{ verb: 'Siprec', attributes, children: parameters.nodes }] };
      } else {
        if (!stream_url) return { type: 'error', code: 81003, message: 'Fork Stream needs a stream URL' };
        attributes.url = stream_url;
        node = { verb: 'Start', children: [{ verb: 'Stream', attributes, children: parameters.nodes }] };
      }
    }
    return callWait(env, [node, redirectBack()]);
  },
  resume(_env, wait, event) {
    return callbackFor(wait, event) ? { type: 'transition', event: 'next', outputs: {} } : null;
  },
};
