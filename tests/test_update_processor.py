"""No citizen waits for another, and no conversation sees its own updates out of order.

First through the real bot (a slow geocoder holds one citizen, not the others), then the
processor alone, where timing can be controlled exactly.
"""

from __future__ import annotations

import asyncio
import time

from telegram import CallbackQuery, Chat, Message, Update, User

from bot.telegram.update_processor import PerChatUpdateProcessor, ordering_key
from tests.helpers import at_location_step, jpeg

GEOCODER_DELAY = 3.0


async def test_a_slow_geocoder_holds_one_citizen_not_the_others(sandbox, make_geo_bot, nominatim):
    geo_bot = await make_geo_bot(seconds="10")
    slow, other = sandbox.citizen(first_name="Slamet"), sandbox.citizen(first_name="Sari")
    await at_location_step(slow)
    await at_location_step(other)
    nominatim.delay(GEOCODER_DELAY)

    await slow.send("Jalan Medan Merdeka Barat")  # the geocoder now takes 3 s to answer
    await asyncio.sleep(0.2)
    await slow.send_photo(jpeg(1))  # sent while its address is still being looked up
    started = time.monotonic()
    await other.send("/help")
    help_answer = await other.next_message()
    other_waited = time.monotonic() - started
    await other.share_location(-6.1754, 106.8272)
    assert "foto" in (await other.next_message()).plain_text.lower()

    assert other_waited < 1.5, f"/help waited {other_waited:.1f} s behind another citizen"
    assert "/report" in help_answer.plain_text
    pin = await slow.next_message(timeout=GEOCODER_DELAY + 5)
    assert pin.kind == "venue", slow.transcript()
    question = await slow.next_message()
    assert "✅ Ya, di sini" in question.buttons
    # The photo came after the address, so it is read after the address was answered: the
    # citizen is still asked to confirm the place, not moved on by the photo.
    after_photo = await slow.next_message()
    assert after_photo.seq > question.seq
    draft = await geo_bot.services.store.drafts.get(slow.user_id)
    assert draft.step == "location", after_photo.plain_text


def _message_update(update_id: int, chat_id: int, user_id: int) -> Update:
    chat = Chat(chat_id, Chat.PRIVATE if chat_id > 0 else Chat.SUPERGROUP)
    user = User(user_id, "Warga", is_bot=False)
    return Update(update_id, message=Message(update_id, None, chat, from_user=user, text="x"))


async def test_one_chats_updates_run_in_order_and_others_overtake():
    processor = PerChatUpdateProcessor(max_running=4)
    log: list[tuple[int, int]] = []

    async def handle(chat_id: int, number: int, seconds: float) -> None:
        log.append((chat_id, number))
        await asyncio.sleep(seconds)
        log.append((chat_id, -number))

    tasks = [
        asyncio.create_task(processor.process_update(_message_update(n, 1, 1), handle(1, n, 0.05)))
        for n in range(1, 6)
    ]
    tasks.append(
        asyncio.create_task(processor.process_update(_message_update(9, 2, 2), handle(2, 9, 0)))
    )
    await asyncio.gather(*tasks)

    chat_one = [entry for entry in log if entry[0] == 1]
    assert chat_one == [(1, n * sign) for n in range(1, 6) for sign in (1, -1)]
    assert log.index((2, -9)) < log.index((1, -1)), "chat 2 waited for chat 1"
    assert processor.waiting_chats == 0


async def test_a_flooding_chat_does_not_starve_the_others():
    """200 queued updates of one chat hold no slots while they wait for their turn."""
    processor = PerChatUpdateProcessor(max_running=2)
    gate = asyncio.Event()

    async def slow() -> None:
        await gate.wait()

    async def quick() -> str:
        return "done"

    flood = [
        asyncio.create_task(processor.process_update(_message_update(n, 1, 1), slow()))
        for n in range(200)
    ]
    await asyncio.sleep(0)
    other = asyncio.create_task(processor.process_update(_message_update(500, 2, 2), quick()))
    await asyncio.wait_for(other, 1)
    gate.set()
    await asyncio.wait_for(asyncio.gather(*flood), 5)


async def test_a_cancelled_update_does_not_block_its_chat():
    processor = PerChatUpdateProcessor(max_running=4)
    gate = asyncio.Event()
    ran: list[int] = []

    async def handle(number: int, wait: bool = False) -> None:
        if wait:
            await gate.wait()
        ran.append(number)

    first = asyncio.create_task(processor.process_update(_message_update(1, 1, 1), handle(1, True)))
    second = asyncio.create_task(processor.process_update(_message_update(2, 1, 1), handle(2)))
    third = asyncio.create_task(processor.process_update(_message_update(3, 1, 1), handle(3)))
    await asyncio.sleep(0.01)
    second.cancel()
    gate.set()
    await asyncio.wait_for(asyncio.gather(first, third), 1)
    assert ran == [1, 3]
    assert second.cancelled()


def test_updates_are_ordered_by_chat_then_by_user():
    user = User(7, "Warga", is_bot=False)
    assert ordering_key(_message_update(1, -100, 7)) == -100
    inline_press = Update(2, callback_query=CallbackQuery("q", user, "c", inline_message_id="i"))
    assert ordering_key(inline_press) == 7
    assert ordering_key(Update(3)) is None
    assert ordering_key("not an update") is None
