#pragma once

#include "core/util/result.h"

#include <cstdint>
#include <span>
#include <string_view>

#include <QString>

struct sqlite3;
struct sqlite3_stmt;

namespace flowlens::store {

class Statement;

/// Thin RAII wrapper over one sqlite3 connection. Not thread-safe: a connection belongs to the
/// thread that opened it (the writer thread, or one query worker).
class Database
{
public:
    enum class Mode
    {
        ReadWrite, ///< creates the file when missing
        ReadOnly,
    };

    Database() = default;
    ~Database();
    Database(Database&& other) noexcept;
    Database& operator=(Database&& other) noexcept;
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;

    /// How long a statement waits for another connection's lock before failing with "busy".
    static constexpr int kBusyTimeoutMs = 5000;

    static Result<Database> open(const QString& path, Mode mode);
    /// Changes the busy wait of this connection (0: fail at once when another connection writes).
    void setBusyTimeout(int milliseconds);

    bool isOpen() const { return m_db != nullptr; }
    QString path() const { return m_path; }
    sqlite3* handle() const { return m_db; }

    /// Runs one or more statements without results.
    Result<void> exec(std::string_view sql);
    Result<Statement> prepare(std::string_view sql);
    std::int64_t lastInsertRowId() const;
    /// Rows changed by the last INSERT/UPDATE/DELETE.
    int changes() const;
    /// Last error text of this connection (for messages).
    QString errorMessage() const;

private:
    sqlite3* m_db = nullptr;
    QString m_path;
};

/// A prepared statement; reset() it to run it again with new bindings.
class Statement
{
public:
    Statement() = default;
    ~Statement();
    Statement(Statement&& other) noexcept;
    Statement& operator=(Statement&& other) noexcept;
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    Statement& bind(int index, std::int64_t value);
    Statement& bind(int index, double value);
    Statement& bind(int index, std::string_view text);
    Statement& bindBlob(int index, std::span<const std::byte> blob);
    Statement& bindNull(int index);

    /// true when a row is available; false when done. Errors become false plus error().
    bool step();
    /// Runs a statement that returns no rows.
    Result<void> run();
    void reset();

    std::int64_t columnInt(int col) const;
    double columnDouble(int col) const;
    QString columnText(int col) const;
    std::span<const std::byte> columnBlob(int col) const;
    bool columnIsNull(int col) const;

    bool hasError() const { return !m_error.isEmpty(); }
    QString error() const { return m_error; }

private:
    friend class Database;
    explicit Statement(sqlite3_stmt* stmt, sqlite3* db);
    sqlite3_stmt* m_stmt = nullptr;
    sqlite3* m_db = nullptr;
    QString m_error;
};

/// RAII transaction: BEGIN IMMEDIATE on construction; rolls back unless commit() succeeded.
class Transaction
{
public:
    explicit Transaction(Database& db);
    ~Transaction();
    Result<void> begin();
    Result<void> commit();

private:
    Database& m_db;
    bool m_open = false;
};

} // namespace flowlens::store
