/*
 * Read SQLite query results into Arrow column buffers.
 *
 * The ETL reads the case store through this instead of a driver that builds
 * one object, or one checked Arrow append, per value. A query is stepped in C
 * and each result column is appended to plain buffers: a validity bitmap, and
 * either 8-byte values or 32-bit offsets and bytes. fetch() hands a batch of
 * rows back as memory that pyarrow wraps without copying
 * (etl/sqlite_columns.py). It releases the GIL while it steps.
 *
 * Column kinds, one character per result column:
 *   'i'  64-bit integer. A REAL, TEXT or BLOB value is an error.
 *   'f'  64-bit float. An INTEGER is converted, TEXT or BLOB is an error.
 *   'b'  bytes: each non-NULL value as sqlite3_value_blob returns it, so
 *        numbers as their text form.
 *   't'  an instant stored as text, "YYYY-MM-DD[( |T)HH[:MM[:SS[.ffffff]]]]",
 *        read as 64-bit microseconds since 1970-01-01 UTC. These are the forms
 *        that pyarrow's cast from string to timestamp[us] accepts, which reads
 *        instants on the other paths, so every path loads the same store.
 *        Other text (a zone suffix such as "Z" too), or a number, is an error.
 * NULL is a cleared validity bit in every kind.
 *
 * A connection is a capsule with at most one prepared statement, which query()
 * replaces and fetch() steps. The capsule's destructor finalizes the statement
 * and closes the database.
 */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define CAPSULE_NAME "city311.sqlite_columns.connection"
#define FIRST_CAPACITY 4096

typedef struct {
    sqlite3 *db;
    sqlite3_stmt *statement;
    char *kinds;
    int columns;
    int done;
    Py_ssize_t rows_read;
} Connection;

typedef struct {
    char *data;
    size_t length;
    size_t capacity;
} Buffer;

typedef struct {
    Buffer validity;
    Buffer offsets;
    Buffer values;
    Py_ssize_t nulls;
} Column;

/* Grow ``buffer`` to hold ``extra`` more bytes. Returns -1 when memory runs out,
 * without setting a Python exception, because fetch() calls this while the GIL
 * is released. */
static int reserve(Buffer *buffer, size_t extra)
{
    size_t needed = buffer->length + extra;
    if (needed <= buffer->capacity) {
        return 0;
    }
    size_t capacity = buffer->capacity ? buffer->capacity : FIRST_CAPACITY;
    while (capacity < needed) {
        capacity *= 2;
    }
    char *data = realloc(buffer->data, capacity);
    if (data == NULL) {
        return -1;
    }
    buffer->data = data;
    buffer->capacity = capacity;
    return 0;
}

/* Return a value's text for an error message, "" where SQLite has none. */
static const char *value_text(sqlite3_value *value)
{
    const unsigned char *text = sqlite3_value_text(value);
    return text ? (const char *)text : "";
}

static int append(Buffer *buffer, const void *data, size_t length)
{
    if (reserve(buffer, length) < 0) {
        return -1;
    }
    if (length) {
        memcpy(buffer->data + buffer->length, data, length);
    }
    buffer->length += length;
    return 0;
}

static Connection *get_connection(PyObject *capsule)
{
    Connection *connection = PyCapsule_GetPointer(capsule, CAPSULE_NAME);
    if (connection != NULL && connection->db == NULL) {
        PyErr_SetString(PyExc_ValueError, "the SQLite connection is closed");
        return NULL;
    }
    return connection;
}

static void set_sqlite_error(sqlite3 *db, const char *action)
{
    PyErr_Format(PyExc_RuntimeError, "SQLite %s failed: %s", action,
                 sqlite3_errmsg(db));
}

static void clear_statement(Connection *connection);

static void close_connection(Connection *connection)
{
    clear_statement(connection);
    if (connection->db != NULL) {
        sqlite3_close_v2(connection->db);
        connection->db = NULL;
    }
}

static void destroy_capsule(PyObject *capsule)
{
    Connection *connection = PyCapsule_GetPointer(capsule, CAPSULE_NAME);
    if (connection != NULL) {
        close_connection(connection);
        free(connection);
    }
}

static PyObject *open_database(PyObject *Py_UNUSED(module), PyObject *args)
{
    const char *uri;
    if (!PyArg_ParseTuple(args, "s", &uri)) {
        return NULL;
    }
    Connection *connection = calloc(1, sizeof(Connection));
    if (connection == NULL) {
        return PyErr_NoMemory();
    }
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX;
    int status;
    Py_BEGIN_ALLOW_THREADS
    status = sqlite3_open_v2(uri, &connection->db, flags, NULL);
    Py_END_ALLOW_THREADS
    if (status != SQLITE_OK) {
        PyErr_Format(PyExc_RuntimeError, "cannot open SQLite database %s: %s", uri,
                     connection->db ? sqlite3_errmsg(connection->db)
                                    : sqlite3_errstr(status));
        close_connection(connection);
        free(connection);
        return NULL;
    }
    PyObject *capsule = PyCapsule_New(connection, CAPSULE_NAME, destroy_capsule);
    if (capsule == NULL) {
        close_connection(connection);
        free(connection);
    }
    return capsule;
}

static PyObject *close_database(PyObject *Py_UNUSED(module), PyObject *capsule)
{
    Connection *connection = PyCapsule_GetPointer(capsule, CAPSULE_NAME);
    if (connection == NULL) {
        return NULL;
    }
    close_connection(connection);
    Py_RETURN_NONE;
}

static PyObject *execute(PyObject *Py_UNUSED(module), PyObject *args)
{
    PyObject *capsule;
    const char *sql;
    if (!PyArg_ParseTuple(args, "Os", &capsule, &sql)) {
        return NULL;
    }
    Connection *connection = get_connection(capsule);
    if (connection == NULL) {
        return NULL;
    }
    int status;
    Py_BEGIN_ALLOW_THREADS
    status = sqlite3_exec(connection->db, sql, NULL, NULL, NULL);
    Py_END_ALLOW_THREADS
    if (status != SQLITE_OK) {
        set_sqlite_error(connection->db, "statement");
        return NULL;
    }
    Py_RETURN_NONE;
}

static int bind_parameter(sqlite3_stmt *statement, int index, PyObject *value)
{
    if (value == Py_None) {
        return sqlite3_bind_null(statement, index);
    }
    if (PyBool_Check(value) || PyLong_Check(value)) {
        long long number = PyLong_AsLongLong(value);
        if (number == -1 && PyErr_Occurred()) {
            return -1;
        }
        return sqlite3_bind_int64(statement, index, number);
    }
    if (PyFloat_Check(value)) {
        return sqlite3_bind_double(statement, index, PyFloat_AsDouble(value));
    }
    if (PyUnicode_Check(value)) {
        Py_ssize_t length;
        const char *text = PyUnicode_AsUTF8AndSize(value, &length);
        if (text == NULL) {
            return -1;
        }
        return sqlite3_bind_text64(statement, index, text, length, SQLITE_TRANSIENT,
                                   SQLITE_UTF8);
    }
    if (PyBytes_Check(value)) {
        return sqlite3_bind_blob64(statement, index, PyBytes_AS_STRING(value),
                                   PyBytes_GET_SIZE(value), SQLITE_TRANSIENT);
    }
    PyErr_Format(PyExc_TypeError, "cannot bind a parameter of type %s",
                 Py_TYPE(value)->tp_name);
    return -1;
}

static void clear_statement(Connection *connection)
{
    sqlite3_finalize(connection->statement);
    connection->statement = NULL;
    free(connection->kinds);
    connection->kinds = NULL;
}

static int bind_parameters(Connection *connection, PyObject *parameters)
{
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(parameters); i++) {
        int status = bind_parameter(connection->statement, (int)i + 1,
                                    PyTuple_GET_ITEM(parameters, i));
        if (status < 0) {
            return -1;
        }
        if (status != SQLITE_OK) {
            set_sqlite_error(connection->db, "bind");
            return -1;
        }
    }
    return 0;
}

static PyObject *query(PyObject *Py_UNUSED(module), PyObject *args)
{
    PyObject *capsule;
    const char *sql;
    const char *kinds;
    PyObject *parameters;
    if (!PyArg_ParseTuple(args, "OssO!", &capsule, &sql, &kinds, &PyTuple_Type,
                          &parameters)) {
        return NULL;
    }
    Connection *connection = get_connection(capsule);
    if (connection == NULL) {
        return NULL;
    }
    clear_statement(connection);
    if (sqlite3_prepare_v2(connection->db, sql, -1, &connection->statement, NULL)
        != SQLITE_OK) {
        set_sqlite_error(connection->db, "prepare");
        clear_statement(connection);
        return NULL;
    }
    int columns = sqlite3_column_count(connection->statement);
    if ((size_t)columns != strlen(kinds) || strspn(kinds, "ifbt") != strlen(kinds)) {
        PyErr_Format(PyExc_ValueError,
                     "the query returns %d columns but the kinds are '%s' "
                     "(one of i, f, b, t per column)",
                     columns, kinds);
        clear_statement(connection);
        return NULL;
    }
    connection->kinds = strdup(kinds);
    if (connection->kinds == NULL) {
        clear_statement(connection);
        return PyErr_NoMemory();
    }
    if (bind_parameters(connection, parameters) < 0) {
        clear_statement(connection);
        return NULL;
    }
    connection->columns = columns;
    connection->done = 0;
    connection->rows_read = 0;
    Py_RETURN_NONE;
}

/* Read ``count`` decimal digits at ``text``, or return -1 if one is not a digit. */
static int digits(const char *text, int count)
{
    int value = 0;
    for (int i = 0; i < count; i++) {
        if (text[i] < '0' || text[i] > '9') {
            return -1;
        }
        value = value * 10 + (text[i] - '0');
    }
    return value;
}

/* Days from 1970-01-01 to a date of the proleptic Gregorian calendar. */
static int64_t days_from_civil(int64_t year, int month, int day)
{
    year -= month <= 2;
    int64_t era = (year >= 0 ? year : year - 399) / 400;
    int64_t year_of_era = year - era * 400;
    int64_t day_of_year = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
    int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100
                         + day_of_year;
    return era * 146097 + day_of_era - 719468;
}

static int days_in_month(int year, int month)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return days[month - 1] + (month == 2 && leap);
}

/* Parse "YYYY-MM-DD[( |T)HH[:MM[:SS[.f{1,6}]]]]" into microseconds since the
 * epoch. Returns -1 for any other text. */
static int parse_instant(const char *text, int length, int64_t *micros)
{
    if (text == NULL || length < 10 || text[4] != '-' || text[7] != '-') {
        return -1;
    }
    int year = digits(text, 4), month = digits(text + 5, 2), day = digits(text + 8, 2);
    if (year < 0 || month < 1 || month > 12 || day < 1
        || day > days_in_month(year, month)) {
        return -1;
    }
    int hour = 0, minute = 0, second = 0, fraction = 0;
    int at = 10;
    if (length > at) {
        if ((text[at] != ' ' && text[at] != 'T') || length < at + 3) {
            return -1;
        }
        hour = digits(text + at + 1, 2);
        at += 3;
        if (length > at) {
            if (length < at + 3 || text[at] != ':') {
                return -1;
            }
            minute = digits(text + at + 1, 2);
            at += 3;
        }
        if (length > at) {
            if (length < at + 3 || text[at] != ':') {
                return -1;
            }
            second = digits(text + at + 1, 2);
            at += 3;
        }
        if (length > at) {
            int places = length - at - 1;
            if (text[at] != '.' || places < 1 || places > 6) {
                return -1;
            }
            fraction = digits(text + at + 1, places);
            for (int i = places; i < 6 && fraction >= 0; i++) {
                fraction *= 10;
            }
        }
    }
    if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0
        || second > 59 || fraction < 0) {
        return -1;
    }
    int64_t seconds = days_from_civil(year, month, day) * 86400 + hour * 3600
                      + minute * 60 + second;
    *micros = seconds * 1000000 + fraction;
    return 0;
}

/* Append row ``row``'s value of result column ``index``. Returns -1, with a
 * message in ``error``, when its storage class does not fit the column's kind.
 * fetch() has reserved room for the validity bit, the offset and a number. */
static int append_value(sqlite3_stmt *statement, int index, char kind, Column *column,
                        Py_ssize_t row, char *error, size_t error_size)
{
    /* An unprotected value: this connection is used by one thread at a time,
     * so reading it through sqlite3_value_* is safe and skips the checks
     * each sqlite3_column_* call repeats. */
    sqlite3_value *value = sqlite3_column_value(statement, index);
    int type = sqlite3_value_type(value);
    if (type == SQLITE_NULL) {
        column->nulls++;
    } else {
        column->validity.data[row / 8] |= (char)(1 << (row % 8));
    }
    if (kind == 'b') {
        if (type != SQLITE_NULL) {
            const void *data = sqlite3_value_blob(value);
            size_t length = (size_t)sqlite3_value_bytes(value);
            /* NULL with a length means SQLite ran out of memory converting a
             * number to text. */
            if ((data == NULL && length > 0)
                || append(&column->values, data, length) < 0) {
                return -2;
            }
            if (column->values.length > INT32_MAX) {
                snprintf(error, error_size, "ends a batch of more than 2 GiB of text");
                return -1;
            }
        }
        ((int32_t *)column->offsets.data)[row + 1] = (int32_t)column->values.length;
        return 0;
    }
    if (kind == 't') {
        int64_t micros = 0;
        if (type != SQLITE_NULL
            && parse_instant((const char *)sqlite3_value_text(value),
                             sqlite3_value_bytes(value), &micros) < 0) {
            snprintf(error, error_size,
                     "contains '%.40s', which is not a valid instant "
                     "(expected YYYY-MM-DD HH:MM:SS.ffffff in UTC)",
                     value_text(value));
            return -1;
        }
        ((int64_t *)column->values.data)[row] = micros;
        return 0;
    }
    if (kind == 'i') {
        if (type != SQLITE_NULL && type != SQLITE_INTEGER) {
            snprintf(error, error_size,
                     "contains the %s value '%.40s' where an integer is expected",
                     type == SQLITE_FLOAT  ? "REAL"
                     : type == SQLITE_TEXT ? "TEXT"
                                           : "BLOB",
                     value_text(value));
            return -1;
        }
        ((int64_t *)column->values.data)[row] =
            type == SQLITE_NULL ? 0 : sqlite3_value_int64(value);
        return 0;
    }
    if (type == SQLITE_TEXT || type == SQLITE_BLOB) {
        snprintf(error, error_size,
                 "contains the %s value '%.40s' where a number is expected",
                 type == SQLITE_TEXT ? "TEXT" : "BLOB", value_text(value));
        return -1;
    }
    ((double *)column->values.data)[row] =
        type == SQLITE_NULL ? 0.0 : sqlite3_value_double(value);
    return 0;
}

/* Reserve a batch of ``max_rows`` rows: a zeroed validity bitmap, the offsets
 * (the first one 0) or the numbers. */
static int reserve_batch(Column *column, char kind, Py_ssize_t max_rows)
{
    size_t bitmap = (size_t)max_rows / 8 + 1;
    if (reserve(&column->validity, bitmap) < 0) {
        PyErr_NoMemory();
        return -1;
    }
    memset(column->validity.data, 0, bitmap);
    column->validity.length = bitmap;
    Buffer *fixed = kind == 'b' ? &column->offsets : &column->values;
    size_t width = kind == 'b' ? sizeof(int32_t) : sizeof(int64_t);
    size_t slots = (size_t)max_rows + (kind == 'b' ? 1 : 0);
    if (reserve(fixed, slots * width) < 0) {
        PyErr_NoMemory();
        return -1;
    }
    memset(fixed->data, 0, width);
    return 0;
}

static void free_columns(Column *columns, int count)
{
    for (int i = 0; i < count; i++) {
        free(columns[i].validity.data);
        free(columns[i].offsets.data);
        free(columns[i].values.data);
    }
    free(columns);
}

#define BUFFER_CAPSULE_NAME "city311.sqlite_columns.buffer"

static void free_buffer_capsule(PyObject *capsule)
{
    free(PyCapsule_GetPointer(capsule, BUFFER_CAPSULE_NAME));
}

/* Hand a buffer's memory to Python as (address, length, owner): pyarrow wraps
 * it with foreign_buffer, and the owner capsule frees it. */
static PyObject *hand_over(Buffer *buffer)
{
    if (buffer->data == NULL) {
        buffer->data = malloc(1);
        if (buffer->data == NULL) {
            return PyErr_NoMemory();
        }
    }
    PyObject *owner = PyCapsule_New(buffer->data, BUFFER_CAPSULE_NAME,
                                    free_buffer_capsule);
    if (owner == NULL) {
        return NULL;
    }
    PyObject *result = Py_BuildValue("(NnN)", PyLong_FromVoidPtr(buffer->data),
                                     (Py_ssize_t)buffer->length, owner);
    buffer->data = NULL; /* owned by the capsule now, even if building failed */
    buffer->length = buffer->capacity = 0;
    return result;
}

/* Build [(validity, offsets, values, null_count), ...] with each buffer as
 * hand_over returns it. Offsets is None for numbers. */
static PyObject *columns_to_list(Connection *connection, Column *columns)
{
    PyObject *result = PyList_New(connection->columns);
    if (result == NULL) {
        return NULL;
    }
    for (int i = 0; i < connection->columns; i++) {
        PyObject *offsets = Py_None;
        Py_INCREF(offsets);
        if (connection->kinds[i] == 'b') {
            Py_DECREF(offsets);
            offsets = hand_over(&columns[i].offsets);
        }
        PyObject *item = Py_BuildValue("(NNNn)", hand_over(&columns[i].validity),
                                       offsets, hand_over(&columns[i].values),
                                       columns[i].nulls);
        if (item == NULL) {
            Py_DECREF(result);
            return NULL;
        }
        PyList_SET_ITEM(result, i, item);
    }
    return result;
}

static void set_lengths(Connection *connection, Column *columns, Py_ssize_t rows)
{
    for (int i = 0; i < connection->columns; i++) {
        columns[i].validity.length = (size_t)(rows + 7) / 8;
        if (connection->kinds[i] == 'b') {
            columns[i].offsets.length = (size_t)(rows + 1) * sizeof(int32_t);
        } else {
            columns[i].values.length = (size_t)rows * sizeof(int64_t);
        }
    }
}

static PyObject *fetch(PyObject *Py_UNUSED(module), PyObject *args)
{
    PyObject *capsule;
    Py_ssize_t max_rows;
    if (!PyArg_ParseTuple(args, "On", &capsule, &max_rows)) {
        return NULL;
    }
    if (max_rows < 1) {
        PyErr_Format(PyExc_ValueError, "max_rows must be at least 1, not %zd", max_rows);
        return NULL;
    }
    Connection *connection = get_connection(capsule);
    if (connection == NULL) {
        return NULL;
    }
    if (connection->statement == NULL || connection->done) {
        Py_RETURN_NONE;
    }
    Column *columns = calloc((size_t)connection->columns, sizeof(Column));
    if (columns == NULL) {
        return PyErr_NoMemory();
    }
    for (int i = 0; i < connection->columns; i++) {
        if (reserve_batch(&columns[i], connection->kinds[i], max_rows) < 0) {
            free_columns(columns, connection->columns);
            return NULL;
        }
    }
    Py_ssize_t rows = 0;
    int status = SQLITE_ROW;
    int failed = 0;
    int failed_column = 0;
    char error[200] = "";
    Py_BEGIN_ALLOW_THREADS
    while (rows < max_rows) {
        status = sqlite3_step(connection->statement);
        if (status != SQLITE_ROW) {
            break;
        }
        for (int i = 0; i < connection->columns && !failed; i++) {
            failed = append_value(connection->statement, i, connection->kinds[i],
                                  &columns[i], rows, error, sizeof error);
            failed_column = i;
        }
        if (failed) {
            break;
        }
        rows++;
    }
    Py_END_ALLOW_THREADS
    PyObject *result = NULL;
    if (failed == -2) {
        PyErr_NoMemory();
        clear_statement(connection);
    } else if (failed == -1) {
        /* The statement is still positioned on the failed row. Its first column,
         * when an integer (the id in the ETL's queries), names the row of the
         * store to repair. */
        char key[160] = "";
        sqlite3_stmt *statement = connection->statement;
        if (failed_column > 0 && sqlite3_column_type(statement, 0) == SQLITE_INTEGER) {
            snprintf(key, sizeof key, " (%.100s %lld)", sqlite3_column_name(statement, 0),
                     (long long)sqlite3_column_int64(statement, 0));
        }
        PyErr_Format(PyExc_ValueError, "result column %s of row %zd%s %s",
                     sqlite3_column_name(statement, failed_column),
                     connection->rows_read + rows + 1, key, error);
        clear_statement(connection);
    } else if (status != SQLITE_ROW && status != SQLITE_DONE) {
        set_sqlite_error(connection->db, "step");
        clear_statement(connection);
    } else {
        if (status == SQLITE_DONE) {
            connection->done = 1;
        }
        connection->rows_read += rows;
        set_lengths(connection, columns, rows);
        PyObject *batch = columns_to_list(connection, columns);
        if (batch != NULL) {
            result = Py_BuildValue("(nN)", rows, batch);
        }
    }
    free_columns(columns, connection->columns);
    return result;
}

static PyObject *library_address(PyObject *Py_UNUSED(module), PyObject *Py_UNUSED(args))
{
    return PyLong_FromVoidPtr((void *)sqlite3_libversion);
}

static PyMethodDef methods[] = {
    {"library_address", library_address, METH_NOARGS,
     "library_address() -> int: the address of sqlite3_libversion in the SQLite "
     "library this module uses."},
    {"open", open_database, METH_VARARGS,
     "open(uri) -> connection: open a SQLite database URI for reading and writing."},
    {"close", close_database, METH_O, "close(connection): close the database."},
    {"execute", execute, METH_VARARGS,
     "execute(connection, sql): run statements that return no rows."},
    {"query", query, METH_VARARGS,
     "query(connection, sql, kinds, parameters): prepare a query for fetch()."},
    {"fetch", fetch, METH_VARARGS,
     "fetch(connection, max_rows) -> (rows, columns) or None when the query is done."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_definition = {
    .m_base = PyModuleDef_HEAD_INIT,
    .m_name = "_sqlite_columns",
    .m_doc = "Read SQLite query results into Arrow column buffers.",
    .m_size = -1,
    .m_methods = methods,
};

PyMODINIT_FUNC PyInit__sqlite_columns(void)
{
    return PyModule_Create(&module_definition);
}
