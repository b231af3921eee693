"""The LLM fakes speak the real protocols: driven here by the real LlamaIndex/OpenAI/boto3 clients."""

from __future__ import annotations

import asyncio
import json

import openai
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, ReadTimeoutError
from fakes.bedrock_server import FakeBedrock, event_message, serve_bedrock
from fakes.chat_server import Delay, Error, FakeChat, Text, ToolCalls, ToolCallSpec, serve_chat
from llama_index.core.llms import ChatMessage, ChatResponse
from llama_index.core.tools import FunctionTool
from llama_index.llms.bedrock_converse import BedrockConverse
from llama_index.llms.openai_like import OpenAILike

BEDROCK_MODEL = "anthropic.claude-3-haiku-20240307-v1:0"  # must be a model BedrockConverse knows
HI = [ChatMessage(role="user", content="hi")]


def search_logs(query: str, limit: int = 10) -> str:
    """Search the logs for `query`."""
    return f"{limit} lines about {query}"


TOOL = FunctionTool.from_defaults(search_logs)


def openai_llm(chat: FakeChat, **kwargs: object) -> OpenAILike:
    options: dict = {"max_retries": 0, "default_headers": {"X-Gateway-Key": "gw"}, **kwargs}
    return OpenAILike(
        model="fake-model",
        api_base=chat.base_url,  # already ends in /v1
        api_key="k",
        is_chat_model=True,
        is_function_calling_model=True,
        **options,
    )


def bedrock_llm(fake: FakeBedrock, read_timeout: float = 5) -> BedrockConverse:
    return BedrockConverse(
        model=BEDROCK_MODEL,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        endpoint_url=fake.base_url,
        max_retries=1,  # tenacity: 1 attempt; botocore retries are set below (max_retries=1 means 2 tries)
        botocore_config=Config(
            retries={"total_max_attempts": 1}, connect_timeout=5, read_timeout=read_timeout
        ),
    )


async def collect(stream) -> tuple[list[str], ChatResponse]:
    deltas, last = [], None
    async for chunk in await stream:
        deltas.append(chunk.delta or "")
        last = chunk
    assert last is not None
    return deltas, last


# --- OpenAI chat completions -------------------------------------------------------------------


def test_openai_text_and_recorded_headers() -> None:
    with serve_chat(Text("The disk filled up."), required_headers={"Authorization": "Bearer k"}) as chat:
        response = asyncio.run(openai_llm(chat).achat(HI))
    assert response.message.content == "The disk filled up."
    assert response.additional_kwargs["total_tokens"] > 0
    assert chat.last_messages == [{"role": "user", "content": "hi"}]
    assert chat.last_headers["x-gateway-key"] == "gw"
    assert chat.last_headers["authorization"] == "Bearer k"


def test_openai_stream_deltas_join_to_the_content() -> None:
    with serve_chat(Text("Checked the payments logs: nothing odd.")) as chat:
        deltas, last = asyncio.run(collect(openai_llm(chat).astream_chat(HI)))
    assert len([d for d in deltas if d]) >= 3
    assert "".join(deltas) == last.message.content == "Checked the payments logs: nothing odd."
    assert chat.last_body["stream"] is True


def test_openai_tool_calls_plain_and_streamed() -> None:
    call = ToolCallSpec("search_logs", {"query": "OOMKilled", "limit": 3})
    with serve_chat(ToolCalls([call]), ToolCalls([call], content="Let me look.")) as chat:
        llm = openai_llm(chat)
        plain = asyncio.run(llm.achat_with_tools([TOOL], user_msg="why did it crash?"))
        _, streamed = asyncio.run(collect(llm.astream_chat_with_tools([TOOL], user_msg="why?")))
    for response in (plain, streamed):
        (selection,) = llm.get_tool_calls_from_response(response)
        assert selection.tool_name == "search_logs"
        assert selection.tool_kwargs == {"query": "OOMKilled", "limit": 3}
    assert llm.get_tool_calls_from_response(plain)[0].tool_id == "call_1_0"
    assert streamed.message.content == "Let me look."
    assert chat.requests[0].body["tools"][0]["function"]["name"] == "search_logs"


def test_openai_malformed_arguments_are_sent_verbatim() -> None:
    with serve_chat(ToolCalls([ToolCallSpec("search_logs", "{not json")])) as chat:
        llm = openai_llm(chat)
        response = llm.chat_with_tools([TOOL], user_msg="go")
    (selection,) = llm.get_tool_calls_from_response(response)
    assert selection.tool_kwargs == {}  # the client gives up on it; the agent must cope
    assert response.raw.choices[0].message.tool_calls[0].function.arguments == "{not json"


def test_openai_errors_timeouts_and_missing_headers() -> None:
    with serve_chat(
        Error(500, "boom"), Delay(2, then=Text("late")), required_headers={"X-Gateway-Key": "gw"}
    ) as chat:
        with pytest.raises(openai.InternalServerError, match="boom"):
            asyncio.run(openai_llm(chat).achat(HI))
        with pytest.raises(openai.APITimeoutError):
            openai_llm(chat, timeout=0.2).chat(HI)
        with pytest.raises(openai.AuthenticationError):
            openai_llm(chat, default_headers={}).chat(HI)
    assert len(chat.requests) == 3  # max_retries=0: no retry by the openai client nor by LlamaIndex


def test_openai_responder_scripts_an_agent_and_models_are_listed() -> None:
    def responder(body: dict) -> Text | ToolCalls:
        if body["messages"][-1]["role"] == "tool":
            return Text("done")
        return ToolCalls([ToolCallSpec("search_logs", {"query": "x"})])

    with serve_chat(Text("first"), responder=responder) as chat:
        llm = openai_llm(chat)
        assert llm.chat(HI).message.content == "first"
        called = llm.chat_with_tools([TOOL], user_msg="go")
        tool_message = ChatMessage(
            role="tool",
            content="3 lines",
            additional_kwargs={"tool_call_id": "call_2_0", "name": "search_logs"},
        )
        answer = llm.chat_with_tools([TOOL], chat_history=[*HI, called.message, tool_message])
        models = openai.OpenAI(base_url=chat.base_url, api_key="k").models.list()
    assert llm.get_tool_calls_from_response(called)[0].tool_name == "search_logs"
    assert answer.message.content == "done"
    assert [m.id for m in models] == ["fake-model"]


def test_openai_script_exhausted_and_broken_responder() -> None:
    with serve_chat() as chat:
        assert openai_llm(chat).chat(HI).message.content == "(script exhausted)"
    with serve_chat(responder=lambda body: body["no such key"]) as chat:
        llm = openai_llm(chat)
        with pytest.raises(openai.InternalServerError, match="fake responder raised KeyError"):
            llm.chat(HI)


# --- Bedrock Converse ----------------------------------------------------------------------------


def test_event_stream_frames_decode_with_botocore() -> None:
    from botocore.eventstream import EventStreamBuffer

    buffer = EventStreamBuffer()
    buffer.add_data(event_message("messageStop", {"stopReason": "end_turn"}))
    (message,) = list(buffer)
    assert message.headers == {
        ":event-type": "messageStop",
        ":content-type": "application/json",
        ":message-type": "event",
    }
    assert json.loads(message.payload) == {"stopReason": "end_turn"}


def test_bedrock_chat_achat_and_streams() -> None:
    replies = [Text("plain"), Text("async"), Text("streamed in pieces"), Text("async stream")]
    with serve_bedrock(*replies) as fake:
        llm = bedrock_llm(fake)
        assert llm.chat(HI).message.content == "plain"
        assert asyncio.run(llm.achat(HI)).message.content == "async"
        deltas = [chunk.delta for chunk in llm.stream_chat(HI)]
        async_deltas, last = asyncio.run(collect(llm.astream_chat(HI)))
    assert len([d for d in deltas if d]) >= 3 and "".join(deltas) == "streamed in pieces"
    assert "".join(async_deltas) == last.message.content == "async stream"
    assert fake.model_ids == [BEDROCK_MODEL] * 4
    assert fake.requests[0].path == "/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse"
    assert fake.requests[2].path.endswith("/converse-stream")
    assert fake.last_messages == [{"role": "user", "content": [{"text": "hi"}]}]
    assert fake.requests[0].headers["authorization"].startswith("AWS4-HMAC-SHA256 Credential=test/")


def test_bedrock_tool_calls_plain_and_streamed() -> None:
    call = ToolCallSpec("search_logs", {"query": "OOMKilled", "limit": 3}, id="tooluse_abc")
    with serve_bedrock(ToolCalls([call]), ToolCalls([call], content="Let me look.")) as fake:
        llm = bedrock_llm(fake)
        plain = llm.chat_with_tools([TOOL], user_msg="why did it crash?")
        *_, streamed = llm.stream_chat_with_tools([TOOL], user_msg="why?")
    for response in (plain, streamed):
        (selection,) = llm.get_tool_calls_from_response(response)
        assert (selection.tool_id, selection.tool_name) == ("tooluse_abc", "search_logs")
        assert selection.tool_kwargs == {"query": "OOMKilled", "limit": 3}
    assert streamed.message.content == "Let me look."
    assert fake.requests[0].body["toolConfig"]["tools"][0]["toolSpec"]["name"] == "search_logs"


def test_bedrock_errors_are_aws_errors_and_delays_time_out() -> None:
    replies = [Error(429, "Too many requests"), Error(400, "bad input"), Delay(2, then=Text("late"))]
    with serve_bedrock(*replies) as fake:
        llm = bedrock_llm(fake)
        with pytest.raises(ClientError) as throttled:
            llm.chat(HI)
        with pytest.raises(ClientError) as invalid:
            list(llm.stream_chat(HI))
        with pytest.raises(ReadTimeoutError):
            bedrock_llm(fake, read_timeout=0.2).chat(HI)
    assert throttled.value.response["Error"] == {
        "Code": "ThrottlingException",
        "Message": "Too many requests",
    }
    assert invalid.value.response["Error"]["Code"] == "ValidationException"
    assert len(fake.requests) == 3  # no retries with the config above
