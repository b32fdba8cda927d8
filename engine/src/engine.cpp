// The public Engine: owns one tenant; loads replace it only on success.
#include "gbl/engine.h"

#include "export_tree.h"
#include "licensing.h"
#include "loader.h"

namespace gbl {

Engine::Engine() : tenant_(std::make_unique<Tenant>()) {}
Engine::~Engine() = default;

Result<LoadSummary> Engine::LoadDocument(std::string_view json_text) {
  auto loaded = LoadTenant(json_text);
  if (!loaded.Ok()) return loaded.GetError();
  return Replace(std::move(loaded.Value()));
}

Result<LoadSummary> Engine::LoadExportFiles(const std::vector<ExportFile>& files) {
  std::vector<std::string> paths;
  paths.reserve(files.size());
  for (const ExportFile& f : files) paths.push_back(f.path);
  ExportAssembler assembler;
  auto order = assembler.Plan(std::move(paths));
  if (!order.Ok()) return order.GetError();
  for (size_t i : order.Value()) {
    if (auto fed = assembler.Feed(files[i].bytes); !fed.Ok()) return fed.GetError();
  }
  auto loaded = assembler.Finish();
  if (!loaded.Ok()) return loaded.GetError();
  return Replace(std::move(loaded.Value()));
}

Result<std::vector<size_t>> Engine::BeginExportFiles(std::vector<std::string> paths) {
  CancelLoad();
  files_ = std::make_unique<ExportAssembler>();
  auto order = files_->Plan(std::move(paths));
  if (!order.Ok()) files_.reset();
  return order;
}

Result<Unit> Engine::FeedExportFile(std::string_view bytes) {
  if (!files_) {
    return Error{"BadRequest", "feedExportFile: no export under way (call beginExportFiles first)"};
  }
  auto fed = files_->Feed(bytes);
  if (!fed.Ok()) files_.reset();
  return fed;
}

Result<LoadSummary> Engine::FinishExportFiles() {
  if (!files_) {
    return Error{"BadRequest",
                 "finishExportFiles: no export under way (call beginExportFiles first)"};
  }
  std::unique_ptr<ExportAssembler> assembler = std::move(files_);
  auto loaded = assembler->Finish();
  if (!loaded.Ok()) return loaded.GetError();
  return Replace(std::move(loaded.Value()));
}

LoadSummary Engine::Replace(std::unique_ptr<Tenant> next) {
  InterruptExport();
  next->now_ms = tenant_->now_ms;
  next->actor = tenant_->actor;
  tenant_ = std::move(next);
  LoadSummary s;
  s.users = tenant_->users().size() - tenant_->deleted_users().size();
  s.groups = tenant_->groups().size();
  s.skus = tenant_->skus().size();
  for (const auto& g : tenant_->groups()) {
    s.memberships += g.members.size();
    s.other_members += g.other_members.size();
  }
  s.queued_groups = tenant_->queue().size();
  s.warnings = tenant_->load_warnings;
  return s;
}

void Engine::BeginLoad(size_t size_hint) {
  CancelLoad();  // the one under way first: its model is freed before the next one grows
  load_ = std::make_unique<DocumentLoad>(size_hint);
}

Result<Unit> Engine::FeedLoad(std::string_view piece) {
  if (load_error_) return *load_error_;
  if (!load_) return Error{"BadRequest", "feedLoad: no load under way (call beginLoad first)"};
  auto fed = load_->Feed(piece);
  if (!fed.Ok()) {
    load_error_ = std::make_unique<Error>(fed.GetError());
    load_.reset();
  }
  return fed;
}

Result<LoadSummary> Engine::FinishLoad() {
  if (load_error_) {
    Error e = *load_error_;
    load_error_.reset();
    return e;
  }
  if (!load_) return Error{"BadRequest", "finishLoad: no load under way (call beginLoad first)"};
  std::unique_ptr<DocumentLoad> load = std::move(load_);
  auto loaded = load->Finish();
  if (!loaded.Ok()) return loaded.GetError();
  return Replace(std::move(loaded.Value()));
}

void Engine::CancelLoad() {
  load_.reset();
  load_error_.reset();
  files_.reset();
}

size_t Engine::LoadedBytes() const { return load_ ? load_->BytesRead() : 0; }

Result<LoadSummary> Engine::LoadSample() { return LoadDocument(SampleTenantDocument()); }

std::string Engine::ExportDocument() const { return WriteTenant(*tenant_, ExportOptions()); }

std::string Engine::ExportDocument(const ExportOptions& options) const {
  return WriteTenant(*tenant_, options);
}

bool Engine::ExportDocument(const ExportOptions& options,
                            const std::function<bool(std::string_view)>& sink) const {
  return WriteTenant(*tenant_, options, sink);
}

void Engine::BeginExport(const ExportOptions& options) {
  export_ = std::make_unique<DocumentWriter>(*tenant_, options);
  export_interrupted_ = false;
}

Result<bool> Engine::ExportNext(size_t min_bytes,
                                const std::function<bool(std::string_view)>& sink) {
  if (!export_) {
    return Error{"BadRequest",
                 export_interrupted_
                     ? "exportNext: the tenant changed during the export, which was dropped; "
                       "export again"
                     : "exportNext: no export under way (BeginExport first)"};
  }
  const bool go_on = export_->Write(min_bytes, sink);
  const bool done = export_->Done();
  if (!go_on || done) export_.reset();
  if (!go_on) return Error{"Cancelled", "the export was stopped"};
  return done;
}

void Engine::CancelExport() {
  export_.reset();
  export_interrupted_ = false;
}

void Engine::InterruptExport() {
  if (!export_) return;
  export_.reset();
  export_interrupted_ = true;
}

Result<std::string> Engine::ApplyBatch(std::string_view batch_json) {
  InterruptExport();
  return ApplyBatchText(tenant_.get(), batch_json);
}

Result<std::string> Engine::PlanChanges(std::string_view batch_json) {
  return PlanChanges(std::vector<std::string>{std::string(batch_json)});
}

Result<std::string> Engine::PlanChanges(const std::vector<std::string>& batches, size_t user_limit,
                                        size_t user_offset) {
  if (tenant_->JournalOpen()) {
    return Error{"BadRequest", "plan: a journal is open; commit or roll it back first"};
  }
  InterruptExport();
  tenant_->BeginJournal();
  std::vector<std::string> responses;
  for (const auto& batch : batches) {
    auto applied = ApplyBatchText(tenant_.get(), batch);
    if (!applied.Ok()) {
      tenant_->RollbackJournal();
      return applied.GetError();
    }
    responses.push_back(std::move(applied.Value()));
  }
  while (!RunChunk(tenant_.get(), 1 << 16).done) {
  }
  std::string effect = PlanEffectJson(*tenant_, responses, user_limit, user_offset);
  tenant_->RollbackJournal();
  return effect;
}

ProcessProgress Engine::ProcessChunk(size_t max_users) {
  if (HasPendingWork()) InterruptExport();
  return RunChunk(tenant_.get(), max_users);
}

ProcessProgress Engine::ProcessAll(const std::function<bool(const ProcessProgress&)>& on_progress,
                                   size_t chunk_users) {
  if (HasPendingWork()) InterruptExport();
  size_t completed = 0;
  for (;;) {
    ProcessProgress p = RunChunk(tenant_.get(), chunk_users);
    completed += p.groups_completed;
    p.groups_completed = completed;
    if (p.done) return p;
    if (on_progress && !on_progress(p)) {
      p.cancelled = true;
      return p;
    }
  }
}

bool Engine::HasPendingWork() const {
  return tenant_->run().group != kNoId || !tenant_->queue().empty();
}

Result<std::string> Engine::Query(std::string_view query_json) const {
  return RunQuery(*tenant_, query_json);
}

void Engine::SetNow(int64_t unix_ms) { tenant_->now_ms = unix_ms; }

void Engine::SetActor(std::string_view user_principal_name) {
  tenant_->actor = std::string(user_principal_name);
}

void Engine::BeginJournal() { tenant_->BeginJournal(); }

Result<Unit> Engine::RollBack() {
  InterruptExport();
  if (!tenant_->RollbackJournal()) return Error{"BadRequest", "rollBack: no journal is open"};
  return Unit{};
}

Result<Unit> Engine::Commit() {
  if (!tenant_->CommitJournal()) return Error{"BadRequest", "commit: no journal is open"};
  return Unit{};
}

bool Engine::JournalOpen() const { return tenant_->JournalOpen(); }

const Tenant& Engine::GetTenant() const { return *tenant_; }

}  // namespace gbl
