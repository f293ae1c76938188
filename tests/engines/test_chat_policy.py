"""The one chat policy: when the page travels, what the model is sent, what is kept."""

from __future__ import annotations

from PIL import Image

from desktop.core.pageimage import PageImage
from desktop.engines.base import ChatMessage
from desktop.engines.chat import kept_turns, page_wanted, restored, sendable

PAGE = PageImage(source="scan.png", index=0, image=Image.new("RGB", (40, 30), "white"))
REGION = (0, 0, 20, 10)


def test_given_a_new_conversation_then_the_first_question_carries_the_page() -> None:
    assert page_wanted([], None)
    assert page_wanted([ChatMessage("system", "No engine is ready.")], None)


def test_given_the_page_sent_then_it_travels_again_only_for_another_part_of_it() -> None:
    history = [ChatMessage("user", "What is it?", image=PAGE), ChatMessage("assistant", "A form.")]
    assert not page_wanted(history, None)  # the same page: the model has it
    assert page_wanted(history, REGION)  # a region attached: its crop goes
    history.append(ChatMessage("user", "And here?", image=PAGE, region=REGION))
    assert not page_wanted(history, REGION)
    assert page_wanted(history, None)  # the region cleared: the whole page again


def test_given_notes_and_two_images_then_the_model_sees_no_notes_and_the_newest_image() -> None:
    history = [
        ChatMessage("user", "What is it?", image=PAGE),
        ChatMessage("assistant", "A form."),
        ChatMessage("system", "Answer stopped."),
        ChatMessage("user", "And here?", image=PAGE, region=REGION),
    ]
    sent = sendable(history)
    assert [(m.role, m.text) for m in sent] == [
        ("user", "What is it?"),
        ("assistant", "A form."),
        ("user", "And here?"),
    ]
    assert [m.image is not None for m in sent] == [False, False, True]
    assert sent[0].region is None and sent[2].region == REGION
    assert history[0].image is PAGE  # the document's own history is left as it was


def test_given_a_kept_conversation_when_restored_then_text_is_back_and_the_page_is_sent() -> None:
    history = [
        ChatMessage("user", "What is it?", image=PAGE),
        ChatMessage("assistant", "A form."),
        ChatMessage("system", "Answer stopped."),
    ]
    kept = kept_turns(history)
    assert kept == [
        {"role": "user", "text": "What is it?"},
        {"role": "assistant", "text": "A form."},
        {"role": "system", "text": "Answer stopped."},
    ]
    back = restored([*kept, "not a turn", {"text": "no role"}])
    assert [(m.role, m.text) for m in back] == [
        ("user", "What is it?"),
        ("assistant", "A form."),
        ("system", "Answer stopped."),
        ("user", "no role"),
    ]
    assert page_wanted(back, None)  # images are not kept: the next question sends the page
