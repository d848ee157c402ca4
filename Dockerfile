FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
RUN python -m accountability.compile_messages locale $(ls -d */locale 2>/dev/null) \
 && SECRET_KEY=collectstatic-only-build-step python manage.py collectstatic --noinput
RUN useradd --system quanze && mkdir -p /app/var && chown quanze /app/var
USER quanze
EXPOSE 8000
