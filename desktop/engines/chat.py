"""A conversation about one page (or a region of it), kept per document.

The page travels with the first user turn only; later turns are text. Stopping an answer
is cancelling (or closing) the iteration: the engine closes the HTTP stream, and the
part already written is kept in the history, marked as stopped.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from dataclasses import dataclass

from desktop.core.document import BBox
from desktop.core.messages import Code, Msg
from desktop.core.pageimage import PageImage
from desktop.engines.base import CannotChat, Capability, ChatMessage, Engine

STOPPED_MARK = " [stopped]"


@dataclass(frozen=True, slots=True)
class ChatTurn:
    role: str  # "user" | "assistant"
    text: str


class ChatSession:
    """Multi-turn chat with ``engine`` about ``page`` (``region`` in original pixels)."""

    def __init__(
        self,
        engine: Engine,
        page: PageImage | None,
        region: BBox | None = None,
        turns: list[ChatTurn] | None = None,
    ) -> None:
        self.engine = engine
        self.page = page
        self.region = region
        self.turns: list[ChatTurn] = list(turns or [])

    def messages_for(self, question: str) -> list[ChatMessage]:
        """The whole conversation plus ``question``; the image rides on the first user turn."""
        turns = [*self.turns, ChatTurn("user", question)]
        out: list[ChatMessage] = []
        attached = False
        for turn in turns:
            if turn.role == "user" and not attached and self.page is not None:
                out.append(ChatMessage("user", turn.text, image=self.page, region=self.region))
                attached = True
            else:
                out.append(ChatMessage(turn.role, turn.text.removesuffix(STOPPED_MARK)))
        return out

    async def ask(self, question: str) -> AsyncGenerator[str, None]:
        """Stream the answer; the turn pair is recorded when it ends or is stopped."""
        if not self.engine.capabilities & Capability.CHAT:
            raise CannotChat(
                Msg.of(Code.CANNOT_CHAT, engine=self.engine.name), fix=Msg(Code.FIX_CHAT_MODEL)
            )
        messages = self.messages_for(question)
        parts: list[str] = []
        finished = False
        try:
            async for piece in self.engine.chat(messages):
                parts.append(piece)
                yield piece
            finished = True
        finally:
            answer = "".join(parts) + ("" if finished else STOPPED_MARK)
            self.turns += [ChatTurn("user", question), ChatTurn("assistant", answer)]

    def to_json(self) -> list[dict[str, str]]:
        return [{"role": t.role, "text": t.text} for t in self.turns]

    @staticmethod
    def turns_from_json(data: list[dict[str, str]]) -> list[ChatTurn]:
        return [ChatTurn(str(d["role"]), str(d["text"])) for d in data]
