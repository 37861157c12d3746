"""The scan's marks move out of cases_dossier into the narrow table cases_duemark (cases.marks): marking no
longer writes a new version of the wide dossier row into each of its indexes. Existing marks are copied (a
closed dossier's mark flagged closed), then the column and its index go. Online dossiers still waiting get a
small partial index for the late-to-accept stage."""
import django.db.models.deletion
from django.db import migrations, models

OPEN = "('submitted', 'received', 'processing', 'awaiting_supplement')"


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0017_merge_20261204_0601'),
    ]

    operations = [
        migrations.CreateModel(
            name='DueMark',
            fields=[
                ('dossier', models.OneToOneField(db_constraint=False, on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='due_mark', serialize=False, to='cases.dossier', verbose_name='hồ sơ')),
                ('stage', models.CharField(choices=[('', 'Trong hạn'), ('due_soon', 'Sắp đến hạn'), ('apology_due', 'Phải gửi phiếu xin lỗi'), ('overdue', 'Quá hạn'), ('appointment_missed', 'Trễ hẹn đã hẹn lại'), ('late_to_accept', 'Chậm tiếp nhận trực tuyến'), ('forward_due_soon', 'Sắp đến hạn chuyển'), ('forward_overdue', 'Quá hạn chuyển')], max_length=20, verbose_name='tình trạng hạn')),
                ('since', models.DateTimeField(verbose_name='từ lúc')),
                ('closed', models.BooleanField(default=False, verbose_name='hồ sơ đã kết thúc')),
            ],
            options={
                'verbose_name': 'tình trạng hạn',
                'verbose_name_plural': 'tình trạng hạn',
            },
        ),
        migrations.RunSQL(
            "INSERT INTO cases_duemark (dossier_id, stage, since, closed) "
            f"SELECT id, due_state, updated_at, status NOT IN {OPEN} FROM cases_dossier WHERE due_state <> ''",
            reverse_sql="UPDATE cases_dossier SET due_state = COALESCE((SELECT m.stage FROM cases_duemark m "
                        "WHERE m.dossier_id = cases_dossier.id), '')",
        ),
        migrations.RemoveIndex(
            model_name='dossier',
            name='dossier_marked',
        ),
        migrations.RemoveField(
            model_name='dossier',
            name='due_state',
        ),
        migrations.AddIndex(
            model_name='dossier',
            index=models.Index(condition=models.Q(('status', 'submitted')), fields=['submitted_at'], name='dossier_waiting_submitted'),
        ),
    ]
