"""twilio-python against Switchboard: create a flow, run it, read its steps, end and delete the
execution, then delete the flow (a second run starts from the same state).

    pip install twilio
    SWITCHBOARD_URL=http://127.0.0.1:4000 TWILIO_ACCOUNT_SID=AC... TWILIO_AUTH_TOKEN=... python3 studio_example.py

The only Switchboard-specific line is `client.studio.base_url = ...`: everything else is ordinary
twilio-python. Do not set TWILIO_REGION / TWILIO_EDGE with it (the library would rewrite the host).
"""
import json
import os

from twilio.rest import Client

FLOW = {
    "description": "Greets the contact by name",
    "initial_state": "Trigger",
    "flags": {"allow_concurrent_calls": True},
    "states": [
        {
            "name": "Trigger",
            "type": "trigger",
            "properties": {"offset": {"x": 0, "y": 0}},
            "transitions": [
                {"event": "incomingMessage"},
                {"event": "incomingCall"},
                {"event": "incomingConversationMessage"},
                {"event": "incomingRequest", "next": "greet"},
                {"event": "incomingParent"},
            ],
        },
        {
            "name": "greet",
            "type": "send-and-wait-for-reply",
            "properties": {
                "offset": {"x": 0, "y": 200},
                "from": "{{flow.channel.address}}",
                "body": "Hello {{flow.data.name}}, how can we help?",
                "timeout": "3600",
            },
            "transitions": [{"event": "incomingMessage"}, {"event": "timeout"}, {"event": "deliveryFailure"}],
        },
    ],
}


def main() -> None:
    client = Client(os.environ["TWILIO_ACCOUNT_SID"], os.environ["TWILIO_AUTH_TOKEN"])
    client.studio.base_url = os.environ.get("SWITCHBOARD_URL", "http://127.0.0.1:4000")

    flow = client.studio.v2.flows.create(
        friendly_name="Python greeting", status="published", definition=FLOW, commit_message="from twilio-python"
    )
    execution = client.studio.v2.flows(flow.sid).executions.create(
        to="+15551230001", from_="+15005550006", parameters={"name": "Ada"}
    )
    steps = client.studio.v2.flows(flow.sid).executions(execution.sid).steps.list()
    ended = client.studio.v2.flows(flow.sid).executions(execution.sid).update(status="ended")
    listed = [e.sid for e in client.studio.v2.flows(flow.sid).executions.list()]
    removed = client.studio.v2.flows(flow.sid).executions(execution.sid).delete()
    flow_removed = client.studio.v2.flows(flow.sid).delete()

    # One JSON line, so the example doubles as a test (test/ops/python-example.test.ts reads it).
    print(json.dumps({
        "flow_sid": flow.sid,
        "flow_status": flow.status,
        "execution_sid": execution.sid,
        "execution_status": execution.status,
        "steps": [step.transitioned_from + "->" + step.transitioned_to for step in steps],
        "ended_status": ended.status,
        "listed": listed,
        "removed": removed,
        "flow_removed": flow_removed,
    }))


if __name__ == "__main__":
    main()
