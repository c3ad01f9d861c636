"""Tests for mro: Python's own ``__mro__`` as the oracle for C3, a recursive depth-first search for the classic order."""

import string

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from grader.errors import UnsupportedValue


def fresh(bases):
    """A copy of a hierarchy to hand to the learner: their in-place changes come back into it."""
    return {name: list(parents) for name, parents in bases.items()}


def declared(bases):
    """The hierarchy as class statements read: ``A, B(A), C(A), D(B, C)``."""
    return ", ".join(f"{name}({', '.join(parents)})" if parents else name for name, parents in bases.items())


def python_mros(bases):
    """Python's answer for every class: its ``__mro__`` without ``object``, or None where ``type()`` raises.

    Each class is created with ``type(name, bases, {})`` after its bases. A class
    whose base could not be created has no MRO either. Leaving out ``object`` changes
    nothing: it ends every linearization, so the merge takes it only when nothing else is left.
    """
    classes = {}

    def create(name):
        if name not in classes:
            parents = [create(parent) for parent in bases[name]]
            try:
                classes[name] = None if None in parents else type(name, tuple(parents), {})
            except TypeError:  # "Cannot create a consistent method resolution order (MRO)"
                classes[name] = None
        return classes[name]

    for name in bases:
        create(name)
    return {
        name: None if made is None else [c.__name__ for c in made.__mro__ if c is not object]
        for name, made in classes.items()
    }


def depth_first_first_occurrence(bases, cls):
    """The classic order by its definition: the full depth-first walk, left to right, with repeats;
    then each class kept where it first appears."""

    def walk(name):
        return [name] + [visited for parent in bases[name] for visited in walk(parent)]

    return list(dict.fromkeys(walk(cls)))


def result_of(submission, bases, cls, function="c3_linearize"):
    """``function`` (c3_linearize unless told) on a copy of bases, or the TypeError it raised (the learner's message kept)."""
    try:
        return getattr(submission, function)(fresh(bases), cls)
    except UnsupportedValue:
        raise  # not a raise of the learner's: a value that is not plain data came back
    except TypeError as error:
        return error


# -- strategies ----------------------------------------------------------------------------------


@st.composite
def hierarchies(draw, min_classes=1, max_classes=8, max_bases=3, subclasses_first=False):
    """``{"A": [], "B": ["A"], "C": ["A"], "D": ["B", "C"], ...}``: each class takes up to
    ``max_bases`` distinct bases among the classes before it, in any order; many such
    hierarchies have classes with no consistent order, as needed. With ``subclasses_first``,
    each class lists later (possibly derived) classes before earlier ones, as programmers
    do, so that most hierarchies are consistent and rich in diamonds."""
    names = string.ascii_uppercase[: draw(st.integers(min_classes, max_classes))]
    bases = {}
    for i, name in enumerate(names):
        count = draw(st.integers(0, min(i, max_bases)))  # as likely to be 2 or 3 as 0 or 1
        chosen = draw(st.lists(st.sampled_from(names[:i]), unique=True, min_size=count, max_size=count)) if i else []
        bases[name] = sorted(chosen, reverse=True) if subclasses_first else chosen
    return bases


@st.composite
def hierarchies_with_a_conflict(draw):
    """A hierarchy plus a class that names one of its bases' ancestors before that base:
    ``class Z(X, Y)`` with ``Y`` derived from ``X`` has no consistent order."""
    bases = draw(hierarchies(min_classes=2))
    derived = [name for name, parents in bases.items() if parents]
    if not derived:
        bases["B"] = ["A"]
        derived = ["B"]
    y = draw(st.sampled_from(derived))
    x = draw(st.sampled_from(python_ancestors(bases, y)))
    name = string.ascii_uppercase[len(bases)]
    bases[name] = [x, y]
    return bases


def python_ancestors(bases, cls):
    """The classes ``cls`` derives from, directly or not, in name order."""
    found = set()
    stack = list(bases[cls])
    while stack:
        name = stack.pop()
        if name not in found:
            found.add(name)
            stack.extend(bases[name])
    return sorted(found)


@st.composite
def trees(draw, max_classes=8):
    """Hierarchies where each class is a base of at most one class: no class is reached by two paths."""
    names = string.ascii_uppercase[: draw(st.integers(1, max_classes))]
    bases, used = {}, set()
    for i, name in enumerate(names):
        free = [earlier for earlier in names[:i] if earlier not in used]
        bases[name] = draw(st.lists(st.sampled_from(free), unique=True, max_size=min(len(free), 3))) if free else []
        used.update(bases[name])
    return bases


@st.composite
def hierarchy_and_renaming(draw):
    bases = draw(hierarchies())
    new_names = draw(st.permutations([name.lower() + "x" for name in bases]))
    return bases, dict(zip(bases, new_names))


# -- tests ---------------------------------------------------------------------------------------

DIAMOND = {"A": [], "B": ["A"], "C": ["A"], "D": ["B", "C"]}
# The examples of "The Python 2.3 Method Resolution Order" (M. Simionato), O standing for object.
PAPER_FIRST = {"O": [], "F": ["O"], "E": ["O"], "D": ["O"], "C": ["D", "F"], "B": ["D", "E"], "A": ["B", "C"]}
PAPER_SECOND = {**PAPER_FIRST, "B": ["E", "D"]}
CROSSED = {"O": [], "X": ["O"], "Y": ["O"], "A": ["X", "Y"], "B": ["Y", "X"], "Z": ["A", "B"]}
BASE_BEFORE_ITS_SUBCLASS = {"F": [], "E": ["F"], "G": ["F", "E"]}


@pytest.mark.points(2)
def test_known_answers(submission):
    cases = [
        (DIAMOND, "D", list("DBCA"), list("DBAC")),
        (PAPER_FIRST, "A", list("ABCDEFO"), list("ABDOECF")),
        (PAPER_FIRST, "B", list("BDEO"), list("BDOE")),
        (PAPER_SECOND, "A", list("ABECDFO"), list("ABEODCF")),
        (CROSSED, "A", list("AXYO"), list("AXOY")),
        (CROSSED, "B", list("BYXO"), list("BYOX")),
        (CROSSED, "Z", TypeError, list("ZAXOYB")),  # A puts X before Y, B puts Y before X
        (BASE_BEFORE_ITS_SUBCLASS, "G", TypeError, list("GFE")),  # F before E, but E must precede F
        ({"A": []}, "A", ["A"], ["A"]),
    ]
    for bases, cls, c3, classic in cases:
        got = result_of(submission, bases, cls)
        if c3 is TypeError:
            assert isinstance(got, TypeError), (
                f"c3_linearize for class {cls} of {declared(bases)} returned {got}; expected TypeError: "
                "there is no consistent order"
            )
        else:
            assert got == c3, f"c3_linearize for class {cls} of {declared(bases)} returned {got}, expected {c3}"
        got = submission.classic_mro(fresh(bases), cls)
        assert got == classic, f"classic_mro for class {cls} of {declared(bases)} returned {got}, expected {classic}"


@pytest.mark.points(2)
@given(bases=st.one_of(hierarchies(min_classes=4), hierarchies(min_classes=4, subclasses_first=True)))
@example(bases=fresh(DIAMOND))
@example(bases=fresh(PAPER_FIRST))
def test_c3_matches_pythons_mro(submission, bases):
    for cls, expected in python_mros(bases).items():
        if expected is None:
            continue  # test_c3_raises_type_error_where_python_does
        got = result_of(submission, bases, cls)
        if isinstance(got, TypeError):
            pytest.fail(
                f"c3_linearize(bases, {cls!r}) raised TypeError ({got}), but Python creates class {cls} "
                f"of {declared(bases)} with the MRO {expected} (__mro__ without object)"
            )
        assert got == expected, (
            f"c3_linearize(bases, {cls!r}) returned {got}, but Python gives class {cls} of {declared(bases)} "
            f"the MRO {expected} (__mro__ without object)"
        )


@pytest.mark.points(2)
@given(bases=st.one_of(hierarchies(min_classes=3), hierarchies_with_a_conflict()))
def test_c3_raises_type_error_where_python_does(submission, bases):
    for cls, expected in python_mros(bases).items():
        if expected is not None:
            continue  # test_c3_matches_pythons_mro
        got = result_of(submission, bases, cls)
        assert isinstance(got, TypeError), (
            f"c3_linearize(bases, {cls!r}) returned {got}, but Python cannot create class {cls} of "
            f"{declared(bases)}: it raises TypeError (no consistent method resolution order)"
        )


@pytest.mark.points(2)
@given(bases=st.one_of(hierarchies(), hierarchies(subclasses_first=True)))
@example(bases=fresh(DIAMOND))
def test_classic_mro_matches_depth_first_search(submission, bases):
    for cls in bases:
        got = submission.classic_mro(fresh(bases), cls)
        expected = depth_first_first_occurrence(bases, cls)
        assert got == expected, (
            f"classic_mro(bases, {cls!r}) returned {got} for class {cls} of {declared(bases)}, expected {expected} "
            "(depth-first, left to right, each class where it first appears)"
        )


@given(bases=trees())
def test_c3_and_classic_agree_when_no_class_is_inherited_twice(submission, bases):
    # Without shared ancestors nothing is met twice, and both orders are the plain depth-first walk.
    for cls in bases:
        c3, classic = result_of(submission, bases, cls), submission.classic_mro(fresh(bases), cls)
        assert c3 == classic, (
            f"for class {cls} of {declared(bases)}, which has no class inherited along two paths, "
            f"c3_linearize returned {c3} and classic_mro returned {classic}; both should be "
            f"the depth-first order {depth_first_first_occurrence(bases, cls)}"
        )


@given(case=hierarchy_and_renaming())
def test_renaming_the_classes_renames_the_result(submission, case):
    bases, rename = case
    renamed = {rename[name]: [rename[parent] for parent in parents] for name, parents in bases.items()}
    for cls in bases:
        for function in ("c3_linearize", "classic_mro"):
            original = result_of(submission, bases, cls, function)
            if isinstance(original, TypeError):
                continue  # inconsistent: the other tests check the raise
            got = result_of(submission, renamed, rename[cls], function)
            expected = [rename[name] for name in original]
            assert got == expected, (
                f"{function} for class {cls} of {declared(bases)} returned {original}, but with the classes "
                f"renamed to {declared(renamed)} it returned {got} for {rename[cls]}, expected {expected}: "
                "the order may depend on the hierarchy only, not on the names"
            )


def test_bases_are_left_unchanged(submission):
    for bases in (DIAMOND, PAPER_FIRST, PAPER_SECOND, CROSSED):
        for cls in bases:
            for function in ("c3_linearize", "classic_mro"):
                given_bases = fresh(bases)
                try:
                    getattr(submission, function)(given_bases, cls)
                except TypeError:
                    pass  # Z of CROSSED: the known answers check the raise
                assert given_bases == bases, (
                    f"{function}(bases, {cls!r}) changed bases from {declared(bases)} to {declared(given_bases)}"
                )
