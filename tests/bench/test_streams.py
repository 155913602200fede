from bench.streams import Stream


def test_in_order_ids_leave_nothing_missing():
    stream = Stream()
    assert all(stream.see(i) for i in range(5))
    assert stream.missing(4) == 0 and stream.dups == 0 and stream.reordered == 0


def test_a_skipped_id_is_missing_until_it_arrives_late():
    stream = Stream(first=10)
    stream.see(10)
    stream.see(12)
    assert stream.missing(12) == 1
    assert stream.see(11)
    assert stream.missing(12) == 0 and stream.reordered == 1


def test_an_id_seen_twice_is_a_duplicate():
    stream = Stream()
    stream.see(0)
    assert not stream.see(0)
    assert stream.dups == 1


def test_the_unseen_tail_counts_as_missing():
    stream = Stream()
    stream.see(0)
    assert stream.missing(3) == 3
