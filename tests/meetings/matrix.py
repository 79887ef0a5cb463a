from tests.matrix import Row, everyone

ROWS = [
    Row("meetings:index", everyone()),
]
