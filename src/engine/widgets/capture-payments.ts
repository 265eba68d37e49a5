// Capture Payments: <Pay> with the connector, amount and card/ACH options; the Pay action callback's
// `Result` decides the event (success, too-many-failed-attempts → maxFailedAttempts,
// payment-connector-error → providerError, caller-interrupted-with-star → payInterrupted,
// caller-hung-up → hangup, validation-error → validationError). Outputs: the callback's parameters
// (Result, PaymentToken, PaymentConfirmationCode, PaymentCardNumber, …).
import type { JsonObject } from '../types.ts';
import { boolProp, callbackFor, callbackOutputs, callWait, cancelHangupTimer, hangupAwaitingAction, intProp, parameterNodes, renderProps, requireCall } from './voice.ts';
import { stringProp, type WidgetHandler } from './widget.ts';

const RESULT_EVENTS: Record<string, string> = {
  success: 'success',
  'too-many-failed-attempts': 'maxFailedAttempts',
  'payment-connector-error': 'providerError',
  'caller-interrupted-with-star': 'payInterrupted',
  'caller-hung-up': 'hangup',
  'validation-error': 'validationError',
};

/** Studio's card names that <Pay validCardTypes> spells otherwise. */
const CARD_TYPES: Record<string, string> = { 'master-card': 'mastercard' };

export const capturePayments: WidgetHandler = {
  enter(env) {
    const refused = requireCall(env, 'providerError');
    if (refused) return refused;
    const props = renderProps(env, ['payment_connector', 'payment_amount', 'currency', 'description', 'language', 'postal_code'], 'validationError');
    if (!props.ok) return props.outcome;
    const v = props.values;
    // <Pay> has no method attribute: Twilio always POSTs its action.
    const attributes: Record<string, string | number | boolean> = {
      tokenType: stringProp(env, 'payment_token_type') ?? 'reusable',
      timeout: intProp(env, 'timeout', 5)!,
      maxAttempts: intProp(env, 'max_attempts', 2)!,
      securityCode: boolProp(env, 'security_code', true),
      postalCode: v.postal_code ?? 'true',
    };
    if (v.payment_connector) attributes.paymentConnector = v.payment_connector;
    if (v.payment_amount) attributes.chargeAmount = v.payment_amount;
    if (v.currency) attributes.currency = v.currency;
    if (v.description) attributes.description = v.description;
    if (v.language) attributes.language = v.language;
    const minPostal = intProp(env, 'min_postal_code_length');
    if (minPostal !== undefined) attributes.minPostalCodeLength = minPostal;
    const cards = env.state.properties.valid_card_types;
    if (Array.isArray(cards) && cards.length > 0) attributes.validCardTypes = cards.map((c) => CARD_TYPES[String(c)] ?? String(c)).join(' ');
    const method = stringProp(env, 'payment_method');
    if (method) attributes.paymentMethod = method.toLowerCase().replace(/_/g, '-');
    const bank = stringProp(env, 'bank_account_type');
    if (bank) attributes.bankAccountType = bank.toLowerCase().replace(/_/g, '-');
    const parameters = parameterNodes(env, 'parameters');
    if (!parameters.ok) return parameters.outcome;
    return callWait(env, [{ verb: 'Pay', attributes, children: parameters.nodes, callback: { attribute: 'action' } }]);
  },
  resume(env, wait, event) {
    // Twilio also requests the Pay action (Result=caller-hung-up, with what was entered) at a hangup, before
    // or after the final status: the action decides either way (see hangupAwaitingAction).
    const hangup = hangupAwaitingAction(env, wait, event);
    if (hangup) return hangup;
    const callback = callbackFor(wait, event);
    if (!callback || wait.kind !== 'call') return null;
    const result = typeof callback.params.Result === 'string' ? callback.params.Result : '';
    const outputs: JsonObject = callbackOutputs(callback.params);
    return { type: 'transition', event: RESULT_EVENTS[result] ?? 'providerError', outputs, effects: cancelHangupTimer(wait) };
  },
};
