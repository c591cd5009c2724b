"""Normalisation rules: every real spelling of a name folds to one skeleton."""

from __future__ import annotations

import pytest

from safepassage.screening.text import clean, tokenize
from safepassage.screening.translit import initial_of, skeleton

FAMILIES = {
    # Cyrillic, ICAO 9303, MVD 310, GOST 52535, BGN/PCGN, ISO 9, German, French, chat
    "Александр": ["Aleksandr", "ALEKSANDR", "Alexandr", "Aleksandr"],
    "Фёдор": ["Fedor", "Fyodor", "Fiodor", "Fjodor", "Fëdor", "Федор"],
    "Соловьёв": ["Solovev", "Solovyov", "Solov'ev", "Solovjov", "Solovyev", "Solov'yëv", "Solowjow"],
    "Щукин": ["Shchukin", "Schukin", "Ščukin", "Ŝukin", "Szczukin", "Shhukin"],
    "Юрий": ["Iurii", "Yuriy", "Yury", "Jurij", "Yuri", "Juri", "Yurii"],
    "Евгений": ["Evgenii", "Yevgeniy", "Yevgeny", "Jewgeni", "Evgenij", "Evgeniy"],
    "Хрущёв": ["Khrushchev", "Khrushchyov", "Hrushchev", "Chruščëv"],
    "Цветков": ["Tsvetkov", "Cvetkov", "Tcvetkov", "Tzvetkov"],
    "Лесецкий": ["Lesetskii", "Lesetskiy", "Leseckij", "Lesetckii", "Lesetsky", "Lesetskij"],
    "Илья": ["Ilia", "Ilya", "Il'ya", "Ilja", "Iliya"],
    "Мария": ["Mariia", "Maria", "Mariya", "Marija"],
    "Жуков": ["Zhukov", "Žukov", "Zhukoff", "Zhukow"],
    "Сергеевич": ["Sergeevich", "Sergeyevich", "Sergejevič", "Serhiyovych", "Sergeevitch"],
    "Григорий": ["Grigorii", "Grigoriy", "Hryhorii", "Grigorij"],
    "Кузнецов": ["Kuznetsov", "Kuznecov", "Kuznetcov", "Kuznetsoff"],
    "Ильич": ["Ilich", "Ilyich", "Il'ich", "Ilitch"],
    "Чайковский": ["Chaikovskii", "Chaykovskiy", "Tchaikovsky", "Tschaikowski", "Čajkovskij"],
    "Михайлович": ["Mikhailovich", "Mikhaylovich", "Mihajlovič", "Mykhailovych"],
    "Наталья": ["Natalia", "Natalya", "Natal'ya", "Nataliya", "Natalja"],
    "Дмитриевич": ["Dmitrievich", "Dmitriyevich", "Dmitrijevič"],
}


@pytest.mark.parametrize(("cyrillic", "latin"), [(c, latin) for c, ls in FAMILIES.items() for latin in ls])
def test_every_spelling_folds_to_the_cyrillic_skeleton(cyrillic: str, latin: str) -> None:
    assert skeleton(clean(latin)) == skeleton(clean(cyrillic))


def test_e_and_yo_are_one_letter() -> None:
    assert skeleton("семёнович") == skeleton("семенович") == skeleton(clean("Semyonovich"))


def test_different_names_stay_different() -> None:
    assert skeleton("иванов") != skeleton("петров")
    assert skeleton("шукин") == skeleton("щукин")  # merged on purpose: sch is ambiguous
    assert skeleton("зуев") != skeleton("жуев")


def test_zero_width_and_bidi_characters_are_removed() -> None:
    assert tokenize("Пет\u200bров\u202e Иван") == ("петров", "иван")


def test_homoglyphs_fold_to_the_dominant_script() -> None:
    # Latin e and o inside a Cyrillic word, Cyrillic а inside a Latin word
    assert tokenize("Пeтрoв") == ("петров",)
    assert tokenize("Ivаnov") == ("ivanov",)


def test_initials_and_hyphens() -> None:
    assert tokenize("A.S. Petrov") == ("a.", "s.", "petrov")
    assert tokenize("PETROV A. S.") == ("petrov", "a.", "s.")
    assert tokenize("Римский-Корсаков") == ("римский", "корсаков")
    assert tokenize("Yu.V. Andropov") == ("yu.", "v.", "andropov")


def test_nfkc_and_casefold() -> None:
    assert clean("ＩＶＡＮＯＶ") == "ivanov"
    assert clean("  Петров   Иван ") == "петров иван"


@pytest.mark.parametrize(("a", "b"), [("e.", "евгений"), ("ye.", "евгений"), ("yu.", "юрий"), ("kh.", "харитон")])
def test_initial_classes(a: str, b: str) -> None:
    assert initial_of(a) == initial_of(b)


@pytest.mark.parametrize("text", ["Aleksandr", "Щукин", "Solov'yëv", "Tchaikovsky", "", "x"])
def test_normalisation_is_idempotent(text: str) -> None:
    once = clean(text)
    assert clean(once) == once
